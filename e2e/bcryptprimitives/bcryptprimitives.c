/* Test-only stand-in for bcryptprimitives.dll, which Wine 8 lacks and the Windows 10+ build of
 * Rust's standard library imports for ProcessPrng. It forwards to BCryptGenRandom so that the
 * stable exe runs in the test prefix; it is never shipped. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
