// wcwidth(3), which Swift's Glibc module does not export (glibc declares it for X/Open only): columns a
// character takes on a terminal.
#pragma once
#include <wchar.h>
#include <locale.h>
int wcwidth(wchar_t c);
