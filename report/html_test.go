package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

const chromium = "/usr/bin/chromium"

// chromiumArgs run a headless Chromium that touches nothing but the file it
// is given: no sandbox (containers), no GPU, no network chatter, a fresh
// profile.
func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
}

func runChromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromiumArgs(t), args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestHTMLInChromium opens report.html in headless Chromium: every plot
// decodes (the page's own check marks the body), no script error, and a
// screenshot shows the plots' colours.
func TestHTMLInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not found: install Debian's chromium package (apt-get install -y chromium; .ci/run does) to run the HTML rendering test", chromium)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	dir := t.TempDir()
	// and a windowed objective, for the SLO-over-time chart's window lanes
	opts := Options{Pricing: testPrices{}, SLO: []scenarios.Objective{windowed(t, "error_rate", "5%", 2*time.Second)}}
	if raceEnabled { // rasterizing is ~40× slower under the race detector
		opts.PlotDPI = 96
	}
	s, err := WriteAll(dir, []string{seededFile(t)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, FileHTML)
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// Self-contained: nothing the page would fetch.
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).Find(html); m != nil {
		t.Errorf("report.html refers to an external resource: %s", m)
	}
	want := len(plotSpecs)
	if n := bytes.Count(html, []byte(`<img class="plot"`)); n != want {
		t.Fatalf("report.html embeds %d plots, want %d", n, want)
	}

	dom := string(runChromium(t, "--virtual-time-budget=10000", "--dump-dom", "file://"+page))
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	for _, attr := range []string{`data-plots-loaded="` + itoa(int64(want)) + `"`, `data-plots-failed="0"`, `data-js-errors="0"`} {
		if !strings.Contains(body, attr) {
			t.Errorf("rendered page lacks %s: %s", attr, body)
		}
	}
	for _, id := range []string{`id="summary"`, `id="slo"`, `id="burn"`, `id="windows"`, "✗✗✗", `id="plot-slo_time"`, `id="cost"`, `id="errors"`, "SLO FAIL"} {
		if !strings.Contains(dom, id) {
			t.Errorf("rendered page lacks %s", id)
		}
	}
	if s.SLO.Pass {
		t.Error("seeded SLO unexpectedly passed")
	}

	shot := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, "--window-size=1280,9000", "--hide-scrollbars", "--virtual-time-budget=10000", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The variants' plot colours (blue, vermillion) must be on screen in
	// quantity: the plots were painted, not just present in the DOM.
	blue, red := countNear(img, 0x00, 0x72, 0xB2), countNear(img, 0xD5, 0x5E, 0x00)
	// (The page scales every plot to the same width whatever its DPI.)
	if blue < 2000 || red < 2000 {
		t.Errorf("screenshot shows %d blue and %d vermillion pixels; the plots did not paint", blue, red)
	}
	// The SLO-over-time chart: its failed windows and fired pages in red,
	// its quiet burn lanes in pale green.
	if failed, quiet := countNear(img, 0xcf, 0x22, 0x2e), countNear(img, 0xe3, 0xf2, 0xe6); failed < 2000 || quiet < 2000 {
		t.Errorf("screenshot shows %d failed-window red and %d quiet-burn green pixels; the SLO chart did not paint", failed, quiet)
	} else {
		t.Logf("SLO chart: %d failed-window red, %d quiet-burn green pixels", failed, quiet)
	}
}

func countNear(img image.Image, r, g, b uint8) int {
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if near(uint8(cr>>8), r) && near(uint8(cg>>8), g) && near(uint8(cb>>8), b) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8) bool { return a-b < 24 || b-a < 24 }
