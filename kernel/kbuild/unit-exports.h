/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Included first in every file of a unit module (the top-level Kbuild).
 *
 * A unit module carries its own copy of code that the kernel it is loaded
 * into has built in, where it is exported for KUnit
 * (EXPORT_SYMBOL_IF_KUNIT). The copy must not be exported again: modpost
 * refuses a symbol that vmlinux exports already. Unexported, the copy is
 * private to the module, and the module's suites, linked with it, test it
 * and not the kernel's. Defining the guard of <kunit/visibility.h> keeps
 * that header from defining the macros again.
 */
#ifndef TRUSTROUTE_UNIT_EXPORTS_H
#define TRUSTROUTE_UNIT_EXPORTS_H

#define _KUNIT_VISIBILITY_H
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif /* TRUSTROUTE_UNIT_EXPORTS_H */
