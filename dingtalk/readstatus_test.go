package dingtalk

import "testing"

// Short keeps the first 8 and last 4 characters of anything longer than
// 14, counting characters, not bytes, with or without its fast path.
func TestShortCountsCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"abcdefghijklmn":  "abcdefghijklmn",
		"abcdefghijklmno": "abcdefgh…lmno",
		"JLdR1YhJoxofgE18/rkMut+skDxymhukopyDxRNV4Eg=": "JLdR1YhJ…4Eg=",
		"周会周会周会周会周会周会周会":                               "周会周会周会周会周会周会周会",
		"周会周会周会周会周会周会周会周":                              "周会周会周会周会…会周会周",
		"aé": "aé",
	} {
		if got := Short(in); got != want {
			t.Errorf("Short(%q) = %q, want %q", in, got, want)
		}
	}
}
