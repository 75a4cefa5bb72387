// SPDX-License-Identifier: GPL-2.0
/**
 * kerneldoc_bad - document only one of two parameters
 * @a: the first
 *
 * Return: the sum.
 */
int kerneldoc_bad(int a, int b)
{
	return a + b;
}
