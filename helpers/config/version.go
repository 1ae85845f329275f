package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a dotted version compared numerically segment by segment, so that
// 19.03.5 < 19.10 < 20.10.24 and 1.9 < 1.40.
type Version []int

// ParseVersion reads the leading dotted numbers of s. Suffixes that engines
// append ("-ee-1", "+dfsg1", "-ce", "~ds1") are ignored: they name a build, not
// an API level.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+~ "); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return nil, fmt.Errorf("empty version")
	}
	var v Version
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("version %q: segment %q is not a number", s, part)
		}
		v = append(v, n)
	}
	return v, nil
}

// Compare returns -1, 0 or 1; missing segments count as 0 (19.03 == 19.3.0).
func (v Version) Compare(o Version) int {
	for i := 0; i < len(v) || i < len(o); i++ {
		a, b := 0, 0
		if i < len(v) {
			a = v[i]
		}
		if i < len(o) {
			b = o[i]
		}
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
	}
	return 0
}

// CompareVersions compares two version strings; see ParseVersion.
func CompareVersions(a, b string) (int, error) {
	va, err := ParseVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := ParseVersion(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// Constraint is a list of comparisons that must all hold, e.g. ">=19.03, <29".
type Constraint []bound

type bound struct {
	op string
	v  Version
}

// ParseConstraint reads comma-separated comparisons; a bare version means ">=".
func ParseConstraint(s string) (Constraint, error) {
	var c Constraint
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		op := ">="
		for _, candidate := range []string{">=", "<=", "==", ">", "<", "="} {
			if strings.HasPrefix(part, candidate) {
				op, part = candidate, strings.TrimSpace(part[len(candidate):])
				break
			}
		}
		if op == "==" {
			op = "="
		}
		v, err := ParseVersion(part)
		if err != nil {
			return nil, fmt.Errorf("constraint %q: %w", s, err)
		}
		c = append(c, bound{op: op, v: v})
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("constraint %q names no version", s)
	}
	return c, nil
}

// Allows reports whether version satisfies every comparison.
func (c Constraint) Allows(version string) (bool, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return false, err
	}
	for _, b := range c {
		cmp := v.Compare(b.v)
		ok := map[string]bool{">=": cmp >= 0, ">": cmp > 0, "<=": cmp <= 0, "<": cmp < 0, "=": cmp == 0}[b.op]
		if !ok {
			return false, nil
		}
	}
	return true, nil
}
