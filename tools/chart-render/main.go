// chart-render renders a Helm chart the way `helm template` does, for the tests on machines without helm
// (test/platform/chart-render.test.ts): Go's text/template with sprig v3 and Helm's own functions (include, tpl,
// required, toYaml, fromYaml, toJson, fromJson, lookup), the chart's values.yaml deep-merged with -f files,
// .Release, .Chart, .Capabilities, .Template and .Files; NOTES.txt is rendered (its errors count) but not printed.
// It is not helm: no hook ordering, no dependencies, no schema validation (the tests validate values with ajv
// first); the charts workflow runs the real helm lint/template.
//
// Built from Debian's golang-go and golang-github-masterminds-sprig-dev, in GOPATH mode (no module download):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o chart-render tools/chart-render/main.go
//
// Usage: chart-render CHART_DIR RELEASE NAMESPACE [-f values.yaml ...]
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

// Files is .Files: every file of the chart outside templates/, by path relative to the chart.
type Files map[string][]byte

func (f Files) Get(name string) string { return string(f[name]) }

func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

// jsonify turns yaml.v2's map[interface{}]interface{} into JSON-compatible maps, as Helm's sigs.k8s.io/yaml does.
func jsonify(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, val := range t {
			m[fmt.Sprint(k)] = jsonify(val)
		}
		return m
	case map[string]interface{}:
		for k, val := range t {
			t[k] = jsonify(val)
		}
		return t
	case []interface{}:
		for i, val := range t {
			t[i] = jsonify(val)
		}
		return t
	}
	return v
}

// toYaml as Helm's: through JSON (so struct tags and key order match sigs.k8s.io/yaml), trailing newline trimmed.
func toYaml(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml.Unmarshal(j, &generic); err != nil {
		return ""
	}
	out, err := yaml.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYaml(s string) map[string]interface{} {
	var m map[interface{}]interface{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	if m == nil {
		return map[string]interface{}{}
	}
	return jsonify(m).(map[string]interface{})
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// mergeValues deep-merges src into dst as Helm coalesces user values over the chart's: maps merge, anything else
// replaces, and null deletes the key.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				dst[k] = mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

func readYamlMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m map[interface{}]interface{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if m == nil {
		return map[string]interface{}{}, nil
	}
	return jsonify(m).(map[string]interface{}), nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "chart-render: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: chart-render CHART_DIR RELEASE NAMESPACE [-f values.yaml ...]")
	}
	chartDir, release, namespace := os.Args[1], os.Args[2], os.Args[3]
	var valueFiles []string
	for i := 4; i < len(os.Args); i++ {
		if os.Args[i] == "-f" && i+1 < len(os.Args) {
			valueFiles = append(valueFiles, os.Args[i+1])
			i++
		} else {
			fail("unexpected argument %q", os.Args[i])
		}
	}

	meta, err := readYamlMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		fail("%v", err)
	}
	values, err := readYamlMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		fail("%v", err)
	}
	for _, f := range valueFiles {
		user, err := readYamlMap(f)
		if err != nil {
			fail("%v", err)
		}
		values = mergeValues(values, user)
	}
	chartName := fmt.Sprint(meta["name"])
	chart := map[string]interface{}{}
	for k, v := range meta { // .Chart.Name, .Chart.Version, .Chart.AppVersion, ...
		chart[strings.ToUpper(k[:1])+k[1:]] = v
	}

	files := Files{}
	var templates []string
	err = filepath.Walk(chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "templates/") {
			templates = append(templates, rel)
		} else {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		fail("%v", err)
	}
	sort.Strings(templates)

	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYaml
	funcs["fromYaml"] = fromYaml
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 1000 {
			return "", fmt.Errorf("include %q: too deep", name)
		}
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	root.Funcs(funcs).Option("missingkey=zero")
	for _, rel := range templates {
		data, err := os.ReadFile(filepath.Join(chartDir, rel))
		if err != nil {
			fail("%v", err)
		}
		if _, err := root.New(chartName + "/" + rel).Parse(string(data)); err != nil {
			fail("%v", err)
		}
	}

	var out bytes.Buffer
	for _, rel := range templates {
		base := path.Base(rel)
		if strings.HasPrefix(base, "_") {
			continue
		}
		name := chartName + "/" + rel
		scope := map[string]interface{}{
			"Values":       values,
			"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
			"Chart":        chart,
			"Files":        files,
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.31.0", "Major": "1", "Minor": "31", "GitVersion": "v1.31.0"}},
			"Template":     map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, scope); err != nil {
			fail("%v", err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if rel == "templates/NOTES.txt" {
			continue // rendered, as helm does, so that its errors fail the render; not a manifest
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimLeft(text, "\n"))
	}
	os.Stdout.Write(out.Bytes())
}
