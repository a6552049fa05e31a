package cel

import "strings"

// celReserved are the words CEL reserves; a property with one of these names
// is reached as __name__ (self.__namespace__), as in Kubernetes.
var celReserved = map[string]bool{
	"true": true, "false": true, "null": true, "in": true,
	"as": true, "break": true, "const": true, "continue": true, "else": true,
	"for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true,
	"var": true, "void": true, "while": true,
}

// escapeProperty returns the CEL identifier a rule uses for the object
// property name, and false when the name cannot be written in CEL (it is
// empty, starts with a digit, or holds a character other than letters,
// digits, '_', '-', '.' and '/'). Kubernetes' escapes apply: a reserved word
// becomes __word__, "__" becomes __underscores__, '.' __dot__, '-' __dash__
// and '/' __slash__ ("x-kubernetes.io/name" is self.x__dash__kubernetes__dot__io__slash__name).
func escapeProperty(name string) (string, bool) {
	if name == "" || ('0' <= name[0] && name[0] <= '9') {
		return "", false
	}
	if celReserved[name] {
		return "__" + name + "__", true
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' && i+1 < len(name) && name[i+1] == '_':
			b.WriteString("__underscores__")
			i++
		case c == '.':
			b.WriteString("__dot__")
		case c == '-':
			b.WriteString("__dash__")
		case c == '/':
			b.WriteString("__slash__")
		case c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9'):
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return b.String(), true
}
