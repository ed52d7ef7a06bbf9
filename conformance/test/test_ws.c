#include <criterion/criterion.h>
Test(ws, placeholder) { cr_assert(1); }
