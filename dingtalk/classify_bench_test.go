package dingtalk

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkClassifyReadStatus is the cost classify adds to every
// readStatus answer: a full batch of 20 recipients.
func BenchmarkClassifyReadStatus(b *testing.B) {
	var list []string
	for i := range 20 {
		list = append(list, fmt.Sprintf(`{"name":"张伟%d","userId":"user%03d","readStatus":"READ","readTimestamp":1764230400123}`, i, i))
	}
	body := []byte(`{"sendStatus":"SUCCESS","messageReadInfoList":[` + strings.Join(list, ",") + `]}`)
	b.ReportAllocs()
	for b.Loop() {
		if e := classify(200, nil, body, readStatusSpec); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkRedact is the cost of hiding secrets in one error message.
func BenchmarkRedact(b *testing.B) {
	msg := strings.Repeat("访问ip不在白名单之中,request ip=203.0.113.7 ", 12)
	secrets := []string{"S3cr3t-app-secret-0123456789abcdef", "", "", "tok-9f8e7d6c5b4a39281706", ""}
	b.ReportAllocs()
	for b.Loop() {
		redact(msg, secrets)
	}
}
