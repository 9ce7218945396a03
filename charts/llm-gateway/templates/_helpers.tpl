{{/*
llm-gateway.name: the chart name, or .Values.nameOverride; trimmed to 63 characters (DNS label limit).
*/}}
{{- define "llm-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
llm-gateway.fullname: the name of every object of the release. .Values.fullnameOverride wins (the platform
stack sets it to the release name so the gateway knows the Service name); otherwise release-chart, or the
release name alone when it already contains the chart name. Trimmed to 63 characters.
*/}}
{{- define "llm-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
llm-gateway.chart: chart name and version, for the helm.sh/chart label.
*/}}
{{- define "llm-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
llm-gateway.labels: the standard labels on every object.
*/}}
{{- define "llm-gateway.labels" -}}
helm.sh/chart: {{ include "llm-gateway.chart" . }}
{{ include "llm-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: llm-platform
{{- end }}

{{/*
llm-gateway.selectorLabels: the immutable subset of the labels that Deployments and Services select on.
*/}}
{{- define "llm-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llm-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
llm-gateway.serviceAccountName: the service account the pods run as.
Its name must match the EKS Pod Identity association of the cluster stack (llm-gateway/llm-gateway).
*/}}
{{- define "llm-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llm-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
llm-gateway.readinessPath: what the readiness probe asks. /readyz with the shared dependencies excluded: every
model (an unhealthy model fails for every replica at once; taking every pod out would also cut off the healthy
models) and, when limits fail open, Redis (the gateway keeps serving without it; a probe on it would turn that
into a full outage). With fail-closed, a replica that cannot reach Redis answers only 503s, so Redis stays in.
Draining (SIGTERM) always fails it. See docs/decisions/0068-readiness-probe-scope.md.
*/}}
{{- define "llm-gateway.readinessPath" -}}
{{- $mode := dig "limits" "failureMode" "fail-open" .Values.config -}}
/readyz?exclude=models{{ if eq $mode "fail-open" }}&exclude=redis{{ end }}
{{- end }}
