package output

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTimeFormat is what time() prints without an argument.
const DefaultTimeFormat = "%H:%M:%S\n"

// Time formats time(fmt) output like C's strftime in local time (an empty
// format means DefaultTimeFormat). Unknown conversions are copied as is;
// %f is one of them, as bpftrace's time() hands the format to strftime(3).
func Time(format string, now time.Time) string {
	if format == "" {
		format = DefaultTimeFormat
	}
	return formatTime(format, now, false)
}

// Strftime formats like strftime(3) plus bpftrace's %f (microseconds),
// as strftime() values print.
func Strftime(format string, t time.Time) string { return formatTime(format, t, true) }

func formatTime(format string, now time.Time, micros bool) string {
	var sb strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			sb.WriteByte(c)
			continue
		}
		i++
		// glibc accepts E and O modifiers; they change nothing in the C locale.
		if (format[i] == 'E' || format[i] == 'O') && i+1 < len(format) {
			i++
		}
		if format[i] == 'f' && !micros {
			sb.WriteString("%f")
			continue
		}
		sb.WriteString(strftimeConv(format[i], now))
	}
	return sb.String()
}

var (
	weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

func strftimeConv(c byte, t time.Time) string {
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	isoYear, isoWeek := t.ISOWeek()
	switch c {
	case 'a':
		return weekdays[t.Weekday()][:3]
	case 'A':
		return weekdays[t.Weekday()]
	case 'b', 'h':
		return months[t.Month()-1][:3]
	case 'B':
		return months[t.Month()-1]
	case 'c':
		return Time("%a %b %e %H:%M:%S %Y", t)
	case 'C':
		return fmt.Sprintf("%02d", t.Year()/100)
	case 'd':
		return fmt.Sprintf("%02d", t.Day())
	case 'D':
		return Time("%m/%d/%y", t)
	case 'e':
		return fmt.Sprintf("%2d", t.Day())
	case 'f':
		// bpftrace's strftime extension: microseconds.
		return fmt.Sprintf("%06d", t.Nanosecond()/1000)
	case 'F':
		return Time("%Y-%m-%d", t)
	case 'g':
		return fmt.Sprintf("%02d", isoYear%100)
	case 'G':
		return fmt.Sprint(isoYear)
	case 'H':
		return fmt.Sprintf("%02d", t.Hour())
	case 'I':
		return fmt.Sprintf("%02d", hour12)
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay())
	case 'k':
		return fmt.Sprintf("%2d", t.Hour())
	case 'l':
		return fmt.Sprintf("%2d", hour12)
	case 'm':
		return fmt.Sprintf("%02d", int(t.Month()))
	case 'M':
		return fmt.Sprintf("%02d", t.Minute())
	case 'n':
		return "\n"
	case 'p':
		return pick(t.Hour() < 12, "AM", "PM")
	case 'P':
		return pick(t.Hour() < 12, "am", "pm")
	case 'r':
		return Time("%I:%M:%S %p", t)
	case 'R':
		return Time("%H:%M", t)
	case 's':
		return fmt.Sprint(t.Unix())
	case 'S':
		return fmt.Sprintf("%02d", t.Second())
	case 't':
		return "\t"
	case 'T':
		return Time("%H:%M:%S", t)
	case 'u':
		return fmt.Sprint((int(t.Weekday())+6)%7 + 1)
	case 'U':
		return fmt.Sprintf("%02d", (t.YearDay()+6-int(t.Weekday()))/7)
	case 'V':
		return fmt.Sprintf("%02d", isoWeek)
	case 'w':
		return fmt.Sprint(int(t.Weekday()))
	case 'W':
		return fmt.Sprintf("%02d", (t.YearDay()+6-(int(t.Weekday())+6)%7)/7)
	case 'x':
		return Time("%m/%d/%y", t)
	case 'X':
		return Time("%H:%M:%S", t)
	case 'y':
		return fmt.Sprintf("%02d", t.Year()%100)
	case 'Y':
		return fmt.Sprint(t.Year())
	case 'z':
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		return fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
	case 'Z':
		name, _ := t.Zone()
		return name
	case '%':
		return "%"
	}
	return "%" + string(c)
}
