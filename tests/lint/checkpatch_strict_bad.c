// SPDX-License-Identifier: GPL-2.0
/* Only --strict objects to this: a comparison to NULL. */
#include <linux/types.h>

bool checkpatch_strict_bad(const int *p);

bool checkpatch_strict_bad(const int *p)
{
	if (p == NULL)
		return false;
	return true;
}
