// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

static int bad_style(int a)
{
    int b = a; 
    // a C99 comment
    return b;
}
