#include <criterion/criterion.h>
Test(report, placeholder) { cr_assert(1); }
