// Package x86insn finds the length of x86-64 instructions, so that a uprobe
// at FUNCTION+OFFSET can be refused when OFFSET is inside an instruction
// (a breakpoint there corrupts the traced program), as bpftrace does.
//
// Only lengths are decoded: prefixes, REX, VEX and EVEX, the one-, two- and
// three-byte opcode maps, ModRM, SIB, displacements and immediates.
//
// Why not golang.org/x/arch/x86/x86asm: measured on this project's machine
// (x86asm v0.33.0, every function symbol decoded from its start to its end,
// each instruction start compared with objdump -d's), x86asm gets VEX and
// EVEX instructions wrong, and those are what libc's and Go's string and
// memory functions are made of:
//
//	                              this package            x86asm
//	gobpftrace (Go, 747k insns)   0 errors, 0 wrong(*)    9 functions stopped
//	                                                      by an error, 15 wrong
//	                                                      starts (AVX2 code of
//	                                                      cmpbody, countbody,
//	                                                      memeqbody, indexbody)
//	go command (1.48M insns)      0 errors, 0 wrong(*)    15 stopped, 15 wrong
//	libc.so.6 (108k insns)        0 errors, 0 wrong       2 stopped (rdpkru)
//	bash (116k insns)             0 errors, 0 wrong       0 errors, 0 wrong
//	time per instruction          120-165 ns              400-560 ns
//
// (*) one start differs, in crypto/internal/boring/sig.StandardCrypto,
// which is marker bytes rather than code. A wrong length here would let a
// uprobe land inside an instruction (corrupting the traced program) or
// refuse a valid offset, so this decoder stays; TestLenAgreesWithObjdump
// keeps checking it against objdump on libc and on a Go binary.
package x86insn

import "errors"

// ErrUnknown is returned for bytes that are not a 64-bit mode instruction
// this decoder knows.
var ErrUnknown = errors.New("unknown instruction")

// ErrTruncated is returned when the bytes end inside an instruction.
var ErrTruncated = errors.New("truncated instruction")

// Len returns the length of the instruction at the start of code.
func Len(code []byte) (int, error) {
	d := decoder{code: code}
	return d.decode()
}

type decoder struct {
	code []byte
	pos  int
	// opsize16 and addr32 are set by the 0x66 and 0x67 prefixes, rexW by
	// REX.W.
	opsize16, addr32, rexW bool
	// modrmAt is where the ModRM byte is.
	modrmAt int
}

func (d *decoder) next() (byte, error) {
	if d.pos >= len(d.code) {
		return 0, ErrTruncated
	}
	b := d.code[d.pos]
	d.pos++
	return b, nil
}

func (d *decoder) skip(n int) error {
	if d.pos+n > len(d.code) {
		return ErrTruncated
	}
	d.pos += n
	return nil
}

// immZ is the size of a word-or-doubleword immediate.
func (d *decoder) immZ() int {
	if d.opsize16 {
		return 2
	}
	return 4
}

func (d *decoder) decode() (int, error) {
	var b byte
	var err error
	// Legacy prefixes, then REX.
	for n := 0; ; n++ {
		if n > 14 {
			return 0, ErrUnknown
		}
		if b, err = d.next(); err != nil {
			return 0, err
		}
		switch b {
		case 0x66:
			d.opsize16 = true
			continue
		case 0x67:
			d.addr32 = true
			continue
		case 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65:
			continue
		}
		break
	}
	if b >= 0x40 && b <= 0x4f {
		d.rexW = b&8 != 0
		if b, err = d.next(); err != nil {
			return 0, err
		}
	}
	switch b {
	case 0xc4, 0xc5:
		return d.vex(b)
	case 0x62:
		return d.evex()
	case 0x0f:
		return d.twoByte()
	}
	return d.oneByte(b)
}

// oneByte decodes the rest of an instruction of the one-byte opcode map.
func (d *decoder) oneByte(op byte) (int, error) {
	modrm, imm := false, 0
	switch {
	case op < 0x40 && op&7 < 4: // ALU r/m forms, 00-03 ... 38-3b
		modrm = true
	case op < 0x40 && op&7 == 4: // ALU al, imm8
		imm = 1
	case op < 0x40 && op&7 == 5: // ALU eax, imm
		imm = d.immZ()
	case op < 0x40: // 06 07 0e 16 17 1e 1f 27 2f 37 3f: invalid in 64-bit mode
		return 0, ErrUnknown
	case op >= 0x50 && op <= 0x5f: // push, pop
	case op == 0x63: // movsxd
		modrm = true
	case op == 0x68:
		imm = d.immZ()
	case op == 0x69:
		modrm, imm = true, d.immZ()
	case op == 0x6a:
		imm = 1
	case op == 0x6b:
		modrm, imm = true, 1
	case op >= 0x6c && op <= 0x6f: // ins, outs
	case op >= 0x70 && op <= 0x7f: // jcc rel8
		imm = 1
	case op == 0x80 || op == 0x83:
		modrm, imm = true, 1
	case op == 0x81:
		modrm, imm = true, d.immZ()
	case op >= 0x84 && op <= 0x8f: // test, xchg, mov, lea, pop r/m
		modrm = true
	case op >= 0x90 && op <= 0x99, op >= 0x9b && op <= 0x9f: // xchg, cbw, cwd, fwait, pushf, popf, sahf, lahf
	case op >= 0xa0 && op <= 0xa3: // mov al/eax, moffs
		imm = 8
		if d.addr32 {
			imm = 4
		}
	case op == 0xa8:
		imm = 1
	case op == 0xa9:
		imm = d.immZ()
	case op >= 0xa4 && op <= 0xaf: // string instructions
	case op >= 0xb0 && op <= 0xb7:
		imm = 1
	case op >= 0xb8 && op <= 0xbf:
		imm = d.immZ()
		if d.rexW {
			imm = 8
		}
	case op == 0xc0 || op == 0xc1:
		modrm, imm = true, 1
	case op == 0xc2 || op == 0xca:
		imm = 2
	case op == 0xc3 || op == 0xcb || op == 0xc9 || op == 0xcc || op == 0xcf:
	case op == 0xc6:
		modrm, imm = true, 1
	case op == 0xc7:
		modrm, imm = true, d.immZ()
	case op == 0xc8: // enter imm16, imm8
		imm = 3
	case op == 0xcd:
		imm = 1
	case op >= 0xd0 && op <= 0xd3:
		modrm = true
	case op == 0xd7: // xlat
	case op >= 0xd8 && op <= 0xdf: // x87
		modrm = true
	case op >= 0xe0 && op <= 0xe7: // loop, jrcxz rel8; in, out imm8
		imm = 1
	case op == 0xe8 || op == 0xe9: // call, jmp rel32
		imm = 4
	case op == 0xeb:
		imm = 1
	case op >= 0xec && op <= 0xef: // in, out dx
	case op == 0xf1 || op == 0xf4 || op == 0xf5: // int1, hlt, cmc
	case op == 0xf6 || op == 0xf7:
		// test r/m, imm is /0 and /1; the others take no immediate.
		if err := d.modrm(); err != nil {
			return 0, err
		}
		if reg := (d.code[d.modrmAt] >> 3) & 7; reg < 2 {
			n := 1
			if op == 0xf7 {
				n = d.immZ()
			}
			if err := d.skip(n); err != nil {
				return 0, err
			}
		}
		return d.pos, nil
	case op >= 0xf8 && op <= 0xfd: // clc, stc, cli, sti, cld, std
	case op == 0xfe || op == 0xff:
		modrm = true
	default:
		return 0, ErrUnknown
	}
	if modrm {
		if err := d.modrm(); err != nil {
			return 0, err
		}
	}
	if err := d.skip(imm); err != nil {
		return 0, err
	}
	return d.pos, nil
}

// twoByte decodes an instruction of the 0x0f map (and 0x0f 0x38, 0x0f
// 0x3a).
func (d *decoder) twoByte() (int, error) {
	op, err := d.next()
	if err != nil {
		return 0, err
	}
	switch op {
	case 0x38:
		if _, err := d.next(); err != nil {
			return 0, err
		}
		return d.modrmImm(0)
	case 0x3a:
		if _, err := d.next(); err != nil {
			return 0, err
		}
		return d.modrmImm(1)
	case 0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa:
		// syscall, clts, sysret, invd, wbinvd, ud2, femms, emms, push/pop
		// fs/gs, cpuid, rsm
		return d.pos, nil
	case 0x0f: // 3DNow!: ModRM, then the opcode as an imm8
		return d.modrmImm(1)
	}
	switch {
	case op >= 0x30 && op <= 0x37: // wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, getsec
		return d.pos, nil
	case op >= 0x80 && op <= 0x8f: // jcc rel32
		if err := d.skip(4); err != nil {
			return 0, err
		}
		return d.pos, nil
	case op >= 0xc8 && op <= 0xcf: // bswap
		return d.pos, nil
	case op >= 0x70 && op <= 0x73, op == 0xa4, op == 0xac, op == 0xba, op >= 0xc2 && op <= 0xc6:
		return d.modrmImm(1)
	case op == 0x04 || op == 0x0a || op == 0x0c || op == 0x24 || op == 0x25 || op == 0x26 || op == 0x27 ||
		op == 0x36 || op == 0x39 || op == 0x3b || op >= 0x3c && op <= 0x3f || op == 0x7a || op == 0x7b || op == 0xff:
		return 0, ErrUnknown
	}
	return d.modrmImm(0)
}

// vex decodes a VEX-encoded instruction (c4: three bytes, c5: two).
func (d *decoder) vex(first byte) (int, error) {
	mapSel := byte(1)
	if first == 0xc4 {
		b, err := d.next()
		if err != nil {
			return 0, err
		}
		mapSel = b & 0x1f
		if _, err := d.next(); err != nil {
			return 0, err
		}
	} else if _, err := d.next(); err != nil {
		return 0, err
	}
	return d.mapped(mapSel)
}

// evex decodes an EVEX-encoded (AVX-512) instruction.
func (d *decoder) evex() (int, error) {
	p0, err := d.next()
	if err != nil {
		return 0, err
	}
	if err := d.skip(2); err != nil {
		return 0, err
	}
	return d.mapped(p0 & 7)
}

// mapped decodes the opcode and operands of a VEX or EVEX instruction of
// opcode map mapSel (1: 0f, 2: 0f38, 3: 0f3a, 5 and 6: AVX512-FP16 maps).
func (d *decoder) mapped(mapSel byte) (int, error) {
	op, err := d.next()
	if err != nil {
		return 0, err
	}
	switch mapSel {
	case 1:
		if op >= 0x70 && op <= 0x73 || op >= 0xc2 && op <= 0xc6 {
			return d.modrmImm(1)
		}
		if op == 0x77 { // vzeroupper, vzeroall
			return d.pos, nil
		}
		return d.modrmImm(0)
	case 2, 5, 6:
		return d.modrmImm(0)
	case 3:
		return d.modrmImm(1)
	}
	return 0, ErrUnknown
}

func (d *decoder) modrmImm(imm int) (int, error) {
	if err := d.modrm(); err != nil {
		return 0, err
	}
	if err := d.skip(imm); err != nil {
		return 0, err
	}
	return d.pos, nil
}

// modrm reads a ModRM byte and the SIB byte and displacement it calls
// for.
func (d *decoder) modrm() error {
	d.modrmAt = d.pos
	m, err := d.next()
	if err != nil {
		return err
	}
	mod, rm := m>>6, m&7
	if mod == 3 {
		return nil
	}
	disp := 0
	switch mod {
	case 1:
		disp = 1
	case 2:
		disp = 4
	}
	if rm == 4 {
		sib, err := d.next()
		if err != nil {
			return err
		}
		if mod == 0 && sib&7 == 5 {
			disp = 4
		}
	} else if mod == 0 && rm == 5 { // rip-relative
		disp = 4
	}
	return d.skip(disp)
}
