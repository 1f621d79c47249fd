package metrics

import (
	"math"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Prometheus buckets are cumulative and inclusive: `le="7"` counts every
// observation <= 7. A script's buckets hold integers and end before their
// upper bound ([4, 8) for hist, [10, 20) for lhist(x, 0, 100, 10)), so the
// `le` of a bucket is the largest integer it holds, its upper bound - 1:
// hist() gives -1, 0, 1, 3, 7, 15..., lhist(x, 0, 100, 10) -1, 9, 19... 99.
// The last bucket, which has no upper bound, is Prometheus's +Inf.

// maxLhistBuckets is codegen's cap on the buckets of one lhist.
const maxLhistBuckets = 1 << 20

// histBounds lists the `le` of each bucket index of a hist/lhist value in
// bucket order, as codegen numbers them (histBucket, lhistBucket); every
// index past the list is +Inf.
func histBounds(v *lang.Type) []float64 {
	switch v.Kind {
	case lang.KLhist:
		return linearBounds(v.LhistMin, v.LhistMax, v.LhistStep)
	case lang.KHist:
		return log2Bounds(min(max(v.Bits, 0), 5))
	}
	return nil
}

// linearBounds: bucket 0 holds v < lo, bucket i (1..n) holds
// [lo+(i-1)*step, lo+i*step), bucket n+1 everything from lo+n*step on,
// where n = (hi-lo)/step (so also v >= hi).
func linearBounds(lo, hi, step int64) []float64 {
	if step <= 0 || hi <= lo {
		return nil
	}
	n := min((hi-lo)/step, maxLhistBuckets-2)
	bounds := make([]float64, 0, n+1)
	for i := int64(0); i <= n; i++ {
		bounds = append(bounds, float64(lo+i*step-1))
	}
	return bounds
}

// log2Bounds: with 2^k buckets per power of two, bucket 0 holds negative
// values, bucket i (1..2^(k+1)) the single value i-1, and a higher bucket
// i ends at 2^p * (2^k + m), where p = i>>k - 1 and m = i mod 2^k. Values
// are int64, so the bucket that ends at 2^63 or later is the last one.
func log2Bounds(k int) []float64 {
	single := 2 << k
	bounds := []float64{-1}
	for i := 1; i <= single; i++ {
		bounds = append(bounds, float64(i-1))
	}
	perPower := 1 << k
	for i := single + 1; ; i++ {
		end := math.Ldexp(float64(perPower+i&(perPower-1)), i>>k-1)
		if end >= math.Ldexp(1, 63) {
			return bounds
		}
		bounds = append(bounds, end-1)
	}
}
