package report

import (
	"encoding/xml"
	"fmt"
	"io"
)

// JUnit XML, the lowest common denominator of CI systems: one test suite,
// one test case per SLO check, a failure element for each that failed.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name  string      `xml:"name,attr"`
	Tests int         `xml:"tests,attr"`
	Fails int         `xml:"failures,attr"`
	Cases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the SLO checks as JUnit XML.
func WriteJUnit(w io.Writer, s *Summary) error {
	suite := junitSuite{Name: "seedbench SLO: " + s.Scenario, Tests: len(s.SLO.Checks), Cases: []junitCase{}}
	for _, c := range s.SLO.Checks {
		jc := junitCase{Name: c.Text, Classname: "seedbench.slo." + c.Target,
			SystemOut: fmt.Sprintf("measured %s (%s)", checkValue(c, c.Measured), c.Basis)}
		if !c.Pass {
			suite.Fails++
			jc.Failure = &junitFailure{Type: "slo " + c.Status, Message: fmt.Sprintf("%s: %s, measured %s", c.Target, c.Text, checkValue(c, c.Measured)), Text: c.Basis}
		}
		suite.Cases = append(suite.Cases, jc)
	}
	doc := junitSuites{Name: "seedbench", Tests: suite.Tests, Fails: suite.Fails, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
