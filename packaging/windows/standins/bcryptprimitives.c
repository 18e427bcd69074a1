/*
 * Stand-in bcryptprimitives.dll for the Wine *build prefix* only (never shipped).
 *
 * Why: cryptography's Rust extension imports ProcessPrng from bcryptprimitives.dll (Windows
 * 10+); Wine 8 does not provide it, so `import cryptography` fails during the build and the
 * self-test. ProcessPrng is implemented on BCryptGenRandom with the system-preferred RNG,
 * which Wine does provide: the randomness is real, not a stub.
 */
#include <windows.h>
#include <bcrypt.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved) {
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
