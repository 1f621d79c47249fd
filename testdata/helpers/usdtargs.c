// usdtargs has USDT probes (<sys/sdt.h>) whose one argument is the same
// 64-bit pattern 0xF7F6F5F4F3F2F1F0 cut to each size and sign, written in
// the note in the three forms GCC uses, for the tests of USDT arguments:
//
//	usdt_args:const_{u64,i64,u32,i32,u16,i16,u8,i8}  "-1@$-16"
//	usdt_args:reg_...                                "-2@%cx"
//	usdt_args:addr_...                               "4@g_u32(%rip)" (a
//	                                                 global variable)
//	usdt_args:arr_elem                               "-2@4+g_arr(%rip)"
//	                                                 (g_arr[2] = -3)
//
// usdtargs fires each probe once, in that order.
#include <stdint.h>
#include <sys/sdt.h>

#define V 0xF7F6F5F4F3F2F1F0ULL
volatile uint64_t g_u64 = V;
volatile int64_t g_i64 = (int64_t)V;
volatile uint32_t g_u32 = (uint32_t)V;
volatile int32_t g_i32 = (int32_t)V;
volatile uint16_t g_u16 = (uint16_t)V;
volatile int16_t g_i16 = (int16_t)V;
volatile uint8_t g_u8 = (uint8_t)V;
volatile int8_t g_i8 = (int8_t)V;
volatile int16_t g_arr[4] = {-1, -2, -3, -4};

int main(void) {
	DTRACE_PROBE1(usdt_args, const_u64, (uint64_t)V);
	DTRACE_PROBE1(usdt_args, const_i64, (int64_t)V);
	DTRACE_PROBE1(usdt_args, const_u32, (uint32_t)V);
	DTRACE_PROBE1(usdt_args, const_i32, (int32_t)V);
	DTRACE_PROBE1(usdt_args, const_u16, (uint16_t)V);
	DTRACE_PROBE1(usdt_args, const_i16, (int16_t)V);
	DTRACE_PROBE1(usdt_args, const_u8, (uint8_t)V);
	DTRACE_PROBE1(usdt_args, const_i8, (int8_t)V);

	uint64_t a = g_u64;
	int64_t b = g_i64;
	uint32_t c = g_u32;
	int32_t d = g_i32;
	uint16_t e = g_u16;
	int16_t f = g_i16;
	uint8_t g = g_u8;
	int8_t h = g_i8;
	DTRACE_PROBE1(usdt_args, reg_u64, a);
	DTRACE_PROBE1(usdt_args, reg_i64, b);
	DTRACE_PROBE1(usdt_args, reg_u32, c);
	DTRACE_PROBE1(usdt_args, reg_i32, d);
	DTRACE_PROBE1(usdt_args, reg_u16, e);
	DTRACE_PROBE1(usdt_args, reg_i16, f);
	DTRACE_PROBE1(usdt_args, reg_u8, g);
	DTRACE_PROBE1(usdt_args, reg_i8, h);

	DTRACE_PROBE1(usdt_args, addr_u64, g_u64);
	DTRACE_PROBE1(usdt_args, addr_i64, g_i64);
	DTRACE_PROBE1(usdt_args, addr_u32, g_u32);
	DTRACE_PROBE1(usdt_args, addr_i32, g_i32);
	DTRACE_PROBE1(usdt_args, addr_u16, g_u16);
	DTRACE_PROBE1(usdt_args, addr_i16, g_i16);
	DTRACE_PROBE1(usdt_args, addr_u8, g_u8);
	DTRACE_PROBE1(usdt_args, addr_i8, g_i8);
	DTRACE_PROBE1(usdt_args, arr_elem, g_arr[2]);
	return 0;
}
