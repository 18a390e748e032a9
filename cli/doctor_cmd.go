package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// The two DingTalk regions' base URLs. A tenant lives on one of them;
// refused credentials on one and accepted on the other mean the endpoint
// names the wrong region.
const (
	hostInternational = "https://" + dingtalk.HostInternational
	hostChina         = "https://" + dingtalk.HostChina
)

// doctorProbeKey is the processQueryKey doctor asks about: shaped like
// DingTalk's keys (Base64 of 32 bytes) so that DingTalk checks the robot
// code first and then refuses the key, which tells a known robot from an
// unknown one. It is the Base64 of "dingwatch doctor probe, no notice".
const doctorProbeKey = "ZGluZ3dhdGNoIGRvY3RvciBwcm9iZSwgbm8gbm90aWNl"

// doctorOptions are doctor's own flags.
type doctorOptions struct {
	// otherEndpoint is where refused credentials are tried again to tell a
	// wrong region from a wrong secret; "" picks the other DingTalk region
	// when the endpoint is one of the two.
	otherEndpoint string
	// wait is how long to wait for a pushed robot_msg_read; 0: push is
	// checked only when it is on, and only that a connection opens.
	wait time.Duration
	// sendTest is the userId sent a test notice before waiting.
	sendTest string
}

// defaultWait is --wait when only --send-test is given.
const defaultWait = 2 * time.Minute

func (a *app) doctorCmd() *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the settings, DingTalk access, the call budget and push, each with its fix",
		Long: `Check, one line each, what dingwatch needs, and print the fix for what fails:

  config      where the settings come from, and that files holding a secret are private
  endpoint    DingTalk answers at the endpoint (and in which region)
  token       DingTalk accepts the app's credentials; when it refuses them, the
              other region's host is asked too: a tenant on the other region is a
              wrong endpoint, not a wrong secret
  robot       DingTalk knows the robot code (one readStatus call on a dummy key:
              1 metered call)
  permission  the app may make robot calls (qyapi_robot_sendmsg)
  budget      metered calls spent in the last 24 hours, and what is left
  stream      a Stream connection opens (push), when push is on or --wait is given
  events      with --wait, whether DingTalk pushes a robot_msg_read event within
              that time; --send-test USERID sends you a notice to open first

Opening a Stream connection takes a share of the app's events while it is open
(see the push note doctor prints); without --wait doctor opens none unless push
is on. Secrets are never printed.

doctor saves no key and sets nothing aside. Its metered calls (the probe, the
--send-test notice) count in the daily call ledger of the saved state, as every
command's do, and are held to --budget: with the budget spent it makes none,
and the checks that need one say so. So it does when the saved state cannot
be read (its ledger is unknown; --budget 0 checks anyway) or is a newer
dingwatch's (never written).

Exit status: 0 everything passed, 2 a setting must be fixed, 1 something else
failed (DingTalk unreachable or busy, the budget or quota spent).`,
		Example: "  dingwatch doctor\n  dingwatch doctor --endpoint https://api.dingtalk.com\n  dingwatch doctor --send-test manager01 --wait 3m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.otherEndpoint != "" {
				if _, err := dingtalk.ParseEndpoint(o.otherEndpoint); err != nil {
					return usageErr("--other-endpoint: %v", err)
				}
			}
			if o.wait < 0 {
				return usageErr("--wait must be positive, e.g. 2m")
			}
			if o.sendTest != "" {
				if err := dingtalk.CheckUserID(o.sendTest); err != nil {
					return usageErr("--send-test: %v", err)
				}
				if o.wait == 0 {
					o.wait = defaultWait
				}
			}
			return a.runDoctor(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.otherEndpoint, "other-endpoint", "",
		"where to try credentials the endpoint refuses (default: the other DingTalk region)")
	cmd.Flags().DurationVar(&o.wait, "wait", 0, "open a Stream connection and wait this long for a pushed read event (e.g. 2m)")
	cmd.Flags().StringVar(&o.sendTest, "send-test", "", "send this userId (yourself) a test notice first, then wait for its read event (1 metered call)")
	return cmd
}

// verdict is the outcome of one check.
type verdict int

const (
	passed  verdict = iota
	noted           // information, not a check
	skipped         // not checked: it needs a check that failed
	failed          // something other than a setting is wrong: exit 1
	misset          // a setting must be fixed: exit 2
)

// glyph marks a verdict; the words after it say the same without colour.
func (v verdict) glyph() string {
	switch v {
	case passed:
		return "✓"
	case noted:
		return "!"
	case skipped:
		return "-"
	}
	return "✗"
}

// finding is one line of doctor's report and, when it failed, its fix.
type finding struct {
	verdict verdict
	name    string // the check: config, endpoint, token, …
	text    string
	fix     string
}

// doctorReport collects the findings in the order they were made, and
// prints each as it is made (a --wait can take minutes).
type doctorReport struct {
	w        io.Writer
	findings []finding
}

func (r *doctorReport) add(v verdict, name, text, fix string) {
	f := finding{v, name, text, fix}
	r.findings = append(r.findings, f)
	f.write(r.w)
}

// exitCode is 2 when a setting must be fixed, 1 when anything else failed, 0 otherwise.
func (r *doctorReport) exitCode() int {
	code := exitOK
	for _, f := range r.findings {
		switch f.verdict {
		case misset:
			return exitUsage
		case failed:
			code = exitFailed
		}
	}
	return code
}

// problems counts the failed checks.
func (r *doctorReport) problems() int {
	n := 0
	for _, f := range r.findings {
		if f.verdict == failed || f.verdict == misset {
			n++
		}
	}
	return n
}

// write prints the finding's line and, under a failure, its fix. Every
// line is cleaned here, once: findings quote DingTalk's messages and the
// user's settings.
func (f finding) write(w io.Writer) {
	const width = 10
	fmt.Fprintf(w, "%s %-*s  %s\n", f.verdict.glyph(), width, f.name, safetext.Line(f.text, 2000))
	if f.fix != "" {
		fmt.Fprintf(w, "  %-*s  fix: %s\n", width, "", safetext.Line(f.fix, 2000))
	}
}

func (a *app) runDoctor(ctx context.Context, o doctorOptions) error {
	r := &doctorReport{w: a.io.out}
	s, ok := a.doctorConfig(r)
	// The metered calls doctor makes are counted in the state's ledger and
	// held to the budget, as every dingwatch command's are.
	saved := a.readLedgerState()
	budget := 0
	if set, err := a.settings(); err == nil {
		budget = set.Budget
	}
	book := watch.NewCallBook(config.DirsFrom(a.getenv).State, saved.state, budget)
	book.OnLockWait(a.sayLockWait)
	defer func() {
		if err := book.Record(time.Now()); errors.As(err, new(*watch.LeftInInboxError)) {
			fmt.Fprintf(a.io.err, "dingwatch doctor: warning: %s\n", safetext.Line(err.Error(), 0)) // another's change, found waiting
		} else if err != nil {
			fmt.Fprintf(a.io.err, "dingwatch doctor: warning: the %s it made could not be counted in the saved state: %s\n",
				plural(book.Made(), "metered call"), safetext.Line(err.Error(), 0))
		}
	}()
	endpoint := ""
	if ok {
		endpoint = a.doctorDingTalk(ctx, r, s, o, book)
	} else {
		for _, name := range []string{"endpoint", "token", "robot", "permission"} {
			r.add(skipped, name, "not checked: the settings are incomplete", "")
		}
	}
	a.doctorBudget(r, saved, book, time.Now())
	a.doctorPush(ctx, r, s, endpoint, o, book)
	r.add(noted, "push", pushHazard, "")
	switch code := r.exitCode(); code {
	case exitOK:
		return nil
	case exitUsage:
		return &exitError{code, fmt.Errorf("%s: fix the settings marked ✗, then run dingwatch doctor again", plural(r.problems(), "problem"))}
	default:
		return &exitError{code, fmt.Errorf("%s found", plural(r.problems(), "problem"))}
	}
}

// pushHazard is what every user of push must know before turning it on.
const pushHazard = "DingTalk hands each event of an app to ONE of that app's Stream connections, at random: " +
	"a dingwatch connection on an app whose events another service already receives over Stream takes " +
	"a share of that service's events. Use an app dedicated to sending notices, or one `dingwatch serve` for the team."

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// doctorConfig reports where the settings come from and whether the files
// that hold them are private, then loads them. ok is false when the
// settings cannot be used to reach DingTalk.
func (a *app) doctorConfig(r *doctorReport) (s config.Settings, ok bool) {
	path, explicit := a.g.configPath, a.g.configPath != ""
	if !explicit {
		path = filepath.Join(config.DirsFrom(a.getenv).Config, "config.toml")
	}
	file := "no config file at " + path
	healthy := true
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	case err != nil:
		r.add(misset, "config", fmt.Sprintf("config file %s: %v", path, err), "give --config a readable file, or leave it out")
		return s, false
	default:
		file = fmt.Sprintf("config file %s (mode %04o)", path, fi.Mode().Perm())
		healthy = a.doctorFileModes(r, path, fi)
	}
	if !healthy {
		return s, false
	}
	s, err = a.settings()
	if err != nil {
		r.add(misset, "config", err.Error(), "correct the setting named, then run dingwatch doctor again")
		return s, false
	}
	if err := s.Validate(); err != nil {
		r.add(misset, "config", err.Error(), fmt.Sprintf("put them in %s (chmod 600) or the environment", path))
		return s, false
	}
	r.add(passed, "config", settingSources(s)+"; "+file, "")
	return s, true
}

// settingSources says where each setting that reaches DingTalk came from,
// by name: "app_key from env DINGTALK_APP_KEY, app_secret from file …".
// Values are never shown.
func settingSources(s config.Settings) string {
	var parts []string
	for _, f := range config.Fields() {
		switch f.Name {
		case "app_key", "app_secret", "robot_code", "endpoint", "suite_key", "suite_secret", "auth_corp_id", "suite_ticket":
		default:
			continue
		}
		if src := s.SourceOf(f.Name); src != "default" || f.Name == "endpoint" {
			parts = append(parts, f.Name+" from "+src)
		}
	}
	return strings.Join(parts, ", ")
}

// doctorFileModes checks the config file (and a secret file it names): a
// file holding a secret must be private, and no file that says where the
// secret goes may be writable by others. It reports whether they are fine.
func (a *app) doctorFileModes(r *doctorReport, path string, fi fs.FileInfo) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		r.add(misset, "config", fmt.Sprintf("config file %s: %v", path, err), "make it readable by you: chmod 600 "+path)
		return false
	}
	file, err := config.Parse(data)
	if err != nil {
		r.add(misset, "config", fmt.Sprintf("config file %s: %v", path, err), "correct that line of "+path)
		return false
	}
	mode := fi.Mode().Perm()
	switch {
	case (file.AppSecret != "" || file.SuiteSecret != "") && mode&0o077 != 0:
		r.add(misset, "config", fmt.Sprintf("%s holds a secret but others can read it (mode %04o)", path, mode), "chmod 600 "+path)
		return false
	case mode&0o002 != 0:
		r.add(misset, "config", fmt.Sprintf("%s can be changed by anyone (mode %04o): they could send your secret to another host", path, mode),
			"chmod 600 "+path)
		return false
	}
	if file.AppSecretFile != "" && strings.TrimSpace(a.getenv("DINGTALK_APP_SECRET")) == "" && file.AppSecret == "" {
		sfi, err := os.Stat(file.AppSecretFile)
		switch {
		case err != nil:
			r.add(misset, "config", fmt.Sprintf("app_secret_file %s: %v", file.AppSecretFile, err), "point app_secret_file at the file that holds the app secret")
			return false
		case sfi.Mode().Perm()&0o077 != 0:
			r.add(misset, "config", fmt.Sprintf("app_secret_file %s can be read by others (mode %04o)", file.AppSecretFile, sfi.Mode().Perm()),
				"chmod 600 "+file.AppSecretFile)
			return false
		}
	}
	return true
}

// probe is one readStatus call on doctorProbeKey at an endpoint: the token
// it needs tells whether DingTalk accepts the credentials there, and its
// error whether it knows the robot and lets the app make robot calls.
type probe struct {
	endpoint string
	tokenOK  bool  // DingTalk issued an access token
	metered  int64 // metered calls the probe made
	err      error // a *watch.BudgetSpentError when the budget had no call for it
}

// probe asks about doctorProbeKey at endpoint, within book's budget; the
// call is counted in book unless it never reached DingTalk.
func (a *app) probe(ctx context.Context, s config.Settings, endpoint string, book *watch.CallBook) probe {
	c, err := dingtalk.New(dingtalk.Options{Endpoint: endpoint, Credentials: s.Credentials(),
		Timeout: s.Timeout, Retries: -1, Rate: s.QPS, UserAgent: userAgent()})
	if err != nil {
		return probe{endpoint: endpoint, err: err}
	}
	at := time.Now()
	if err := book.Take(at); err != nil {
		return probe{endpoint: endpoint, err: err}
	}
	_, err = c.ReadStatus(ctx, s.RobotCode, doctorProbeKey)
	if c.MeteredCalls() == 0 || dingtalk.NeverSent(err) {
		book.Undo(at) // the token was refused, or the call never left: nothing spent
	}
	return probe{endpoint: endpoint, tokenOK: c.TokenCalls() > 0, metered: c.MeteredCalls(), err: err}
}

// budgetFinding is the line of a check not made because its metered call
// would go over the daily budget, and its fix.
func budgetFinding(r *doctorReport, name, what string, spent *watch.BudgetSpentError) {
	fix := "raise the budget for this run: dingwatch --budget 0 doctor (0: no limit)"
	if !spent.FreedAt.IsZero() {
		fix = "run dingwatch doctor again after " + watch.ClockTime(spent.FreedAt, spent.At.Local()) + ", when a call is free again; or " + fix
	}
	r.add(failed, name, fmt.Sprintf("not checked: %s costs 1 metered call, and the daily budget is spent (%d of %d metered calls in the last 24 hours)",
		what, spent.Spent, spent.Budget), fix)
}

// notCounted adds the line of a check not made because its metered call
// could not be counted within the daily budget (err is a
// *watch.BudgetSpentError or a *watch.LedgerUnknownError: the saved
// state's ledger cannot be read or written, so the budget cannot be
// held), and reports whether err was one of them.
func notCounted(r *doctorReport, name, what string, err error) bool {
	var spent *watch.BudgetSpentError
	var unknown *watch.LedgerUnknownError
	switch {
	case errors.As(err, &spent):
		budgetFinding(r, name, what, spent)
	case errors.As(err, &unknown):
		r.add(failed, name, fmt.Sprintf("not checked: %s costs 1 metered call, and %s", what, unknown.Reason), unknown.Fix)
	default:
		return false
	}
	return true
}

// otherRegion is the host of the other DingTalk region when endpoint is
// one of the two; "" otherwise.
func otherRegion(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Host) {
	case dingtalk.HostInternational:
		return hostChina
	case dingtalk.HostChina:
		return hostInternational
	}
	return ""
}

// doctorDingTalk checks the endpoint, region, token, robot code and
// permission with one probe (a second on the other region when the first
// endpoint refuses the credentials). It returns the endpoint that accepted
// the credentials, or "" when none did.
func (a *app) doctorDingTalk(ctx context.Context, r *doctorReport, s config.Settings, o doctorOptions, book *watch.CallBook) string {
	p := a.probe(ctx, s, s.Endpoint, book)
	where := regionName(s.Endpoint)
	if notCounted(r, "endpoint", "the check of the endpoint, token, robot and permission (one readStatus call on a dummy key)", p.err) {
		skipRest(r, "token", "robot", "permission")
		return ""
	}
	if !p.tokenOK {
		var de *dingtalk.Error
		errors.As(p.err, &de)
		switch {
		case dingtalk.HasCode(p.err, dingtalk.CodeNetwork):
			r.add(failed, "endpoint", fmt.Sprintf("%s could not be reached: %s", s.Endpoint, errText(p.err)),
				"check the network (and HTTPS_PROXY, if a proxy is needed) and the endpoint: "+hostInternational+" or "+hostChina)
			skipRest(r, "token", "robot", "permission")
			return ""
		case dingtalk.HasCode(p.err, dingtalk.CodeRedirect):
			r.add(misset, "endpoint", errText(p.err), "set endpoint (or DINGTALK_ENDPOINT) to "+hostInternational+" or "+hostChina)
			skipRest(r, "token", "robot", "permission")
			return ""
		case notDingTalkAPI(s.Endpoint, de):
			r.add(misset, "endpoint", fmt.Sprintf("%s answered, but not as DingTalk does (HTTP %d%s): it is not DingTalk's API", s.Endpoint, de.HTTPStatus, pageWord(de)),
				"set endpoint (or DINGTALK_ENDPOINT) to "+hostInternational+" or "+hostChina+" (a proxy must forward DingTalk's API as it is)")
			skipRest(r, "token", "robot", "permission")
			return ""
		case dingtalk.HasCode(p.err, dingtalk.CodeInvalidClient):
			r.add(passed, "endpoint", fmt.Sprintf("%s answers (%s)", s.Endpoint, where), "")
			p = a.doctorRegion(ctx, r, s, o, p, book)
			if !p.tokenOK {
				skipRest(r, "robot", "permission")
				return ""
			}
		default:
			r.add(passed, "endpoint", fmt.Sprintf("%s answers (%s)", s.Endpoint, where), "")
			v, fix := classify(p.err)
			r.add(v, "token", "no access token: "+errText(p.err), fix)
			skipRest(r, "robot", "permission")
			return ""
		}
	} else {
		r.add(passed, "endpoint", fmt.Sprintf("%s answers (%s)", s.Endpoint, where), "")
		r.add(passed, "token", s.Credentials().String()+": DingTalk issued an access token", "")
	}
	a.doctorRobot(r, s, p)
	return p.endpoint
}

// notDingTalkAPI reports whether de, the token call's failure at
// endpoint, shows a server that is not DingTalk's API: an answer without
// DingTalk's JSON that no passing trouble explains. At one of DingTalk's
// two hosts that is a 4xx other than 403, 408 and 429 (DingTalk answers a
// banned host with a web page of 200, 403 or 429); at any other host every
// such answer but a gateway's 502, 503 or 504 (a proxy to DingTalk that is
// down for a moment): a web site (a portal, a proxy's page, 501 to a POST)
// is a setting to fix, not DingTalk throttling.
func notDingTalkAPI(endpoint string, de *dingtalk.Error) bool {
	if de == nil || (de.Code != dingtalk.CodeNotJSON && !(de.Code == dingtalk.CodeBanned && isWebPage(de))) {
		return false
	}
	switch st := de.HTTPStatus; {
	case st == http.StatusRequestTimeout || st == http.StatusTooManyRequests:
		return false
	case otherRegion(endpoint) != "":
		return st/100 == 4 && st != http.StatusForbidden
	case st == http.StatusBadGateway || st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout:
		return false
	}
	return true
}

// isWebPage reports whether de is an answer that was a web page (HTML), as
// the dingtalk package's hint for such answers says; DingTalk's own ban
// JSON is not one.
func isWebPage(de *dingtalk.Error) bool { return strings.Contains(de.Hint, "with a web page") }

// pageWord is ", a web page" when de's answer was one, for the endpoint line.
func pageWord(de *dingtalk.Error) string {
	if isWebPage(de) {
		return ", a web page"
	}
	return ""
}

// doctorRegion asks the other region when the endpoint refused the
// credentials, and reports which of a wrong region or a wrong secret it is.
// It returns the probe the later checks read.
func (a *app) doctorRegion(ctx context.Context, r *doctorReport, s config.Settings, o doctorOptions, p probe, book *watch.CallBook) probe {
	fixCreds := "check the app key and secret (app_key, app_secret or app_secret_file in the config file, or " +
		"DINGTALK_APP_KEY and DINGTALK_APP_SECRET); for a third-party app, the DINGTALK_SUITE_* settings"
	other := o.otherEndpoint
	if other == "" {
		other = otherRegion(s.Endpoint)
	}
	if other == "" || sameEndpoint(other, s.Endpoint) {
		r.add(misset, "token", fmt.Sprintf("DingTalk refused the credentials of %s at %s", s.Credentials(), s.Endpoint), fixCreds)
		return p
	}
	q := a.probe(ctx, s, other, book)
	switch {
	case q.tokenOK:
		r.add(misset, "region", fmt.Sprintf("the credentials of %s are refused at %s but accepted at %s: the tenant is on the region %s serves",
			s.Credentials(), s.Endpoint, other, other),
			fmt.Sprintf("set endpoint = %q in the config file (or DINGTALK_ENDPOINT=%s)", other, other))
		r.add(passed, "token", fmt.Sprintf("%s: DingTalk issued an access token at %s", s.Credentials(), other), "")
		return q
	case dingtalk.HasCode(q.err, dingtalk.CodeInvalidClient):
		r.add(misset, "token", fmt.Sprintf("DingTalk refused the credentials of %s, at %s and at %s: not a region mismatch",
			s.Credentials(), s.Endpoint, other), fixCreds)
	default:
		r.add(misset, "token", fmt.Sprintf("DingTalk refused the credentials of %s at %s (the other region, %s, could not tell: %s)",
			s.Credentials(), s.Endpoint, other, errText(q.err)), fixCreds+"; or the region: the endpoint may be "+other)
	}
	return p
}

func sameEndpoint(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
}

// doctorRobot reads the probe's readStatus answer: a refused key means the
// robot is known and the call was allowed.
func (a *app) doctorRobot(r *doctorReport, s config.Settings, p probe) {
	cost := fmt.Sprintf("(the probe cost %s)", plural(int(p.metered), "metered call"))
	robot := fmt.Sprintf("%q", s.RobotCode)
	var de *dingtalk.Error
	switch {
	case p.err == nil || dingtalk.HasCode(p.err, "invalid.processQueryKey") || dingtalk.HasCode(p.err, dingtalk.CodeKeyExpireTime) ||
		dingtalk.HasCode(p.err, "unknown.send.result"):
		r.add(passed, "robot", fmt.Sprintf("DingTalk knows robot %s: it asked about a dummy key %s", robot, cost), "")
		r.add(passed, "permission", "the app may make robot calls (qyapi_robot_sendmsg)", "")
	case !errors.As(p.err, &de):
		r.add(failed, "robot", "could not check: "+errText(p.err), "run dingwatch doctor again")
		skipRest(r, "permission")
	case strings.HasPrefix(de.Code, "invalidParameter.robotCode."):
		r.add(misset, "robot", fmt.Sprintf("DingTalk does not know robot %s in this organisation: %s", robot, errText(p.err)),
			"set robot_code (or DINGTALK_ROBOT_CODE) to the robot's code: developer console, the app, Robot")
		skipRest(r, "permission")
	case de.Code == dingtalk.CodePermissionDenied || (de.HTTPStatus == http.StatusForbidden && len(de.RequiredScopes) > 0):
		r.add(skipped, "robot", "not checked: the app may not make robot calls", "")
		scopes := "the permission qyapi_robot_sendmsg"
		if len(de.RequiredScopes) > 0 {
			scopes = "the permissions DingTalk named: " + strings.Join(de.RequiredScopes, ", ")
		}
		r.add(misset, "permission", errText(p.err),
			"grant the app "+scopes+" (developer console, the app, Permissions), then wait a minute")
	case de.Code == dingtalk.CodeIPNotAllowed:
		r.add(skipped, "robot", "not checked: DingTalk refuses this host", "")
		r.add(misset, "permission", errText(p.err),
			"add the address DingTalk saw to the app's IP allow-list (developer console, the app, Security settings)")
	case de.Code == dingtalk.CodeQuotaSpent || de.Code == dingtalk.CodeLegacyQuota:
		r.add(skipped, "robot", "not checked: the monthly quota is spent", "")
		r.add(failed, "quota", errText(p.err), "wait for the month's quota to renew, or raise the organisation's edition")
	default:
		v, fix := classify(p.err)
		r.add(v, "robot", "could not check: "+errText(p.err), fix)
		skipRest(r, "permission")
	}
}

// classify is the verdict and fix for an error no check names.
func classify(err error) (verdict, string) {
	if dingtalk.IsSettings(err) {
		return misset, "see the message above; it names the setting"
	}
	if dingtalk.Retryable(err) || dingtalk.IsThrottle(err) {
		return failed, "DingTalk is busy or throttling: run dingwatch doctor again in a minute"
	}
	return failed, "see the message above"
}

func skipRest(r *doctorReport, names ...string) {
	for _, n := range names {
		r.add(skipped, n, "not checked: needs the check above", "")
	}
}

// errText is an error's words, with DingTalk's own message when it gave one
// (it names things the user needs: an IP address, the scopes wanted).
func errText(err error) string {
	var de *dingtalk.Error
	if errors.As(err, &de) && de.Message != "" && !strings.Contains(err.Error(), de.Message) {
		return err.Error() + ": " + de.Message
	}
	return err.Error()
}

// regionName names the DingTalk region of an endpoint.
func regionName(endpoint string) string {
	switch otherRegion(endpoint) {
	case hostChina:
		return "international region"
	case hostInternational:
		return "China region"
	}
	return "a custom endpoint, not one of DingTalk's two hosts"
}

// ledgerState is the saved state as doctor read it for its ledger: the
// state, or why it could not be read (then state is nil).
type ledgerState struct {
	path  string
	state *watch.State
	// problem is a failed budget line and its fix; "" when read.
	problem, fix string
}

// readLedgerState reads the saved state for its call ledger; read, never
// opened as a store: doctor sets nothing aside and saves no key.
func (a *app) readLedgerState() ledgerState {
	// The state file's name inside the state directory, as watch.OpenStore
	// names it.
	path := filepath.Join(config.DirsFrom(a.getenv).State, "state.json")
	ls := ledgerState{path: path}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		// Never read: reading a FIFO waits for ever.
		ls.problem = fmt.Sprintf("the saved state %s is not a regular file (%s)", path, fi.Mode().Type())
		ls.fix = "move it out of the way: dingwatch keeps its state in a file there and will not start until it can read it"
		return ls
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ls.state = &watch.State{}
	case err != nil:
		ls.problem, ls.fix = fmt.Sprintf("the saved state %s could not be read: %v", path, err), "make it readable by you (fix its owner, or chmod 600 "+path+"): until then dingwatch will not start on it, and no metered call is made under a budget"
	default:
		st, _, err := watch.DecodeState(data)
		var newer *watch.NewerStateError
		switch {
		case errors.As(err, &newer):
			ls.problem = fmt.Sprintf("the saved state %s is from a newer dingwatch (state format %d)", path, newer.Version)
			ls.fix = "upgrade dingwatch: this one will not open nor change that file, nor make a metered call it cannot count there"
		case err != nil:
			ls.problem = fmt.Sprintf("the saved state %s is unreadable: %v", path, err)
			ls.fix = "dingwatch moves it aside and starts afresh when it next opens it; until then no metered call is made under a budget " +
				"(dingwatch --budget 0 doctor checks anyway, and its call is counted once a dingwatch opens the state)"
		default:
			ls.state = st
		}
	}
	return ls
}

// doctorBudget reports the metered calls of the last 24 hours (the saved
// ledger, the calls handed to a running dingwatch and not saved yet, and
// doctor's own) against the daily budget.
func (a *app) doctorBudget(r *doctorReport, saved ledgerState, book *watch.CallBook, now time.Time) {
	if _, err := a.settings(); err != nil { // loaded already: doctor checked them first
		r.add(skipped, "budget", "not checked: the settings could not be read", "")
		return
	}
	if saved.problem != "" {
		r.add(failed, "budget", saved.problem, saved.fix)
		return
	}
	budget, spent := book.Budget(), book.Spent(now)
	own := ""
	if n := book.Made(); n > 0 {
		own = fmt.Sprintf(" (%d by this check)", n)
	}
	switch {
	case budget <= 0:
		r.add(passed, "budget", fmt.Sprintf("no daily budget (--budget 0); %s in the last 24 hours%s", plural(spent, "metered call"), own), "")
	case spent >= budget:
		text := fmt.Sprintf("the daily budget is spent: %d of %d metered calls in the last 24 hours%s", spent, budget, own)
		if at := book.FreedAt(now); !at.IsZero() {
			text += "; polling resumes at " + watch.ClockTime(at, now.Local())
		}
		r.add(failed, "budget", text, "wait, or raise the budget (--budget N): the month's quota is about 30 times the daily budget")
	default:
		r.add(passed, "budget", fmt.Sprintf("%d of %d metered calls spent in the last 24 hours%s; %d left", spent, budget, own, budget-spent), "")
	}
}
