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
// an API level. Whitespace inside is refused: "1.40 1.99" is two versions,
// not one, and reading only the first would silently drop the second.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if strings.ContainsAny(s, " \t\n,") {
		return nil, fmt.Errorf("%q is more than one version", s)
	}
	if i := strings.IndexAny(s, "-+~"); i >= 0 {
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

// ConstraintForms is the grammar of a constraint, for error messages.
const ConstraintForms = `comparisons joined by commas or spaces, all of which must hold, e.g. ">=19.03, <29" or ">=19.03 <29"; ` +
	`each is one of >=, >, <=, <, = followed by a dotted version (a bare version means >=)`

// ParseConstraint reads comparisons separated by commas or whitespace; all
// must hold (as in Masterminds/semver and npm ranges, which platform teams
// already write: ">=19.03 <20" means both). An operator may be followed by
// spaces (">= 19.03"). Anything that is not an operator and a version, such
// as "||" or "~20", is refused instead of being read as something else.
func ParseConstraint(s string) (Constraint, error) {
	var c Constraint
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	for i := 0; i < len(fields); i++ {
		part := fields[i]
		op := ">="
		for _, candidate := range []string{">=", "<=", "==", ">", "<", "="} {
			if strings.HasPrefix(part, candidate) {
				op, part = candidate, part[len(candidate):]
				break
			}
		}
		if op == "==" {
			op = "="
		}
		if part == "" && fields[i] != "" && i+1 < len(fields) {
			i++ // ">= 19.03": the operator stands alone
			part = fields[i]
		}
		v, err := ParseVersion(part)
		if err != nil {
			return nil, fmt.Errorf("constraint %q: %q is not a comparison (%w); use %s", s, fields[i], err, ConstraintForms)
		}
		c = append(c, bound{op: op, v: v})
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("constraint %q names no version; use %s", s, ConstraintForms)
	}
	return c, nil
}

// ParseReportedVersion reads a version as an engine reports it, which may
// carry a build suffix glued to its last number: Mirantis Container Runtime
// numbers its builds "23.0.9m1" beside "-ee-1", "+dfsg1" and "~ds1". The
// leading numbers are the version; the first segment that does not end in a
// number ends it. What a user configures is read strictly by ParseVersion.
func ParseReportedVersion(reported string) (Version, error) {
	s := strings.TrimPrefix(strings.TrimSpace(reported), "v")
	if i := strings.IndexAny(s, "-+~ "); i >= 0 {
		s = s[:i]
	}
	var v Version
	for _, part := range strings.Split(s, ".") {
		digits := len(part) - len(strings.TrimLeft(part, "0123456789"))
		if digits == 0 {
			break
		}
		n, err := strconv.Atoi(part[:digits])
		if err != nil {
			return nil, fmt.Errorf("version %q: segment %q is not a number", reported, part)
		}
		v = append(v, n)
		if digits < len(part) {
			break // "9m1": the build suffix starts here
		}
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("version %q does not start with a number", reported)
	}
	return v, nil
}

// Allows reports whether version, as the engine reports it, satisfies every
// comparison.
func (c Constraint) Allows(version string) (bool, error) {
	v, err := ParseReportedVersion(version)
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
