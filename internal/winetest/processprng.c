/*
 * bcryptprimitives.dll stand-in for Wine 8, which lacks it.
 *
 * Go 1.22 and later get their random bytes from ProcessPrng in
 * bcryptprimitives.dll; a Go program for Windows run under Wine 8 stops at
 * start-up with "bcryptprimitives.dll not found". This DLL exports
 * ProcessPrng and fills the buffer from advapi32's SystemFunction036
 * (RtlGenRandom), which Wine has. scripts/wine-test.sh builds it with
 * x86_64-w64-mingw32-gcc and copies it into the Wine prefix's system32.
 * It is a test tool only: nothing in the library loads it.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
