# SPDX-License-Identifier: GPL-2.0
# Guest scenario: every KUnit suite (tests/guest/kunit.sh), then a kmemleak
# scan once the modules are gone: a leaked object shows up on the console
# as "unreferenced object", which fails the run.
# expect-splat: INFO: task (iocount-hung|iocount-end|insmod|kunit_try_catch):[0-9]+ blocked for more than [0-9]+ seconds
# timeout: 900

. /guest/kunit.sh
. /guest/kmemleak-lib.sh
kmemleak_clean kunit
