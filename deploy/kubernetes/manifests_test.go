// Package kubernetes holds the Indexed Job that runs a sharded seedbench run
// in a cluster; its test proves the manifests decode into the Kubernetes API
// types with no unknown fields and keep the invariants sharding relies on.
package kubernetes

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// decodeStrict converts a YAML manifest to JSON and decodes it into v,
// refusing any field the API type does not have (a typo would otherwise be
// dropped silently by the API server's lenient decoding).
func decodeStrict(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The Job is applied through envsubst; stand in a start time.
	b = bytes.ReplaceAll(b, []byte("${START_AT}"), []byte("2026-01-01T00:00:00Z"))
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func TestIndexedJob(t *testing.T) {
	var job batchv1.Job
	decodeStrict(t, "job.yaml", &job)
	if job.Kind != "Job" || job.APIVersion != "batch/v1" {
		t.Fatalf("kind %s/%s", job.APIVersion, job.Kind)
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completionMode must be Indexed")
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		t.Errorf("parallelism must equal completions: every shard runs at once")
	}
	if s.BackoffLimit == nil || *s.BackoffLimit != 0 {
		t.Errorf("backoffLimit must be 0: a retried shard would send its requests twice")
	}
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy must be Never")
	}
	c := s.Template.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	want := "--shard=auto/" + strconv.Itoa(int(*s.Completions))
	if !strings.Contains(args, want) {
		t.Errorf("args %q lack %q (shard count must equal completions)", args, want)
	}
	for _, a := range []string{"--start-at=", "--out=/results/", "/scenario/scenario.yaml"} {
		if !strings.Contains(args, a) {
			t.Errorf("args %q lack %q", args, a)
		}
	}
	var haveIndex, keyFromSecret bool
	for _, e := range c.Env {
		if e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			haveIndex = true
		}
		if e.Name == "SEEDBENCH_API_KEY" {
			keyFromSecret = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
		}
	}
	if !haveIndex {
		t.Errorf("JOB_COMPLETION_INDEX must be declared for $(...) expansion in args")
	}
	if !keyFromSecret {
		t.Errorf("the API key must come from a Secret, never a literal value")
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	if mounts["scenario"] != "/scenario" || mounts["results"] != "/results" {
		t.Errorf("volume mounts %v", mounts)
	}
}

func TestConfigMapCarriesAScenario(t *testing.T) {
	var cm corev1.ConfigMap
	decodeStrict(t, "configmap.yaml", &cm)
	if !strings.Contains(cm.Data["scenario.yaml"], "load:") {
		t.Errorf("configmap has no scenario.yaml with a load block")
	}
}

func TestResultsVolume(t *testing.T) {
	var pvc corev1.PersistentVolumeClaim
	decodeStrict(t, "pvc.yaml", &pvc)
	if len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != corev1.ReadWriteMany {
		t.Errorf("results volume must be ReadWriteMany (all shards write at once)")
	}
}
