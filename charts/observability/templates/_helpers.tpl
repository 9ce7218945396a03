{{/*
observability.name: the chart name, or .Values.nameOverride; trimmed to 63 characters (DNS label limit).
*/}}
{{- define "observability.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
observability.fullname: the name of every object of the release. .Values.fullnameOverride wins (the platform
stack sets it to the release name so the gateway knows the Service name); otherwise release-chart, or the
release name alone when it already contains the chart name. Trimmed to 63 characters.
*/}}
{{- define "observability.fullname" -}}
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
observability.chart: chart name and version, for the helm.sh/chart label.
*/}}
{{- define "observability.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
observability.labels: the standard labels on every object.
*/}}
{{- define "observability.labels" -}}
helm.sh/chart: {{ include "observability.chart" . }}
{{ include "observability.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: observability
app.kubernetes.io/part-of: llm-platform
{{- end }}

{{/*
observability.selectorLabels: the immutable subset of the labels that Deployments and Services select on.
*/}}
{{- define "observability.selectorLabels" -}}
app.kubernetes.io/name: {{ include "observability.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
observability.serviceAccountName: the service account of the chart's test pod (the chart itself runs nothing).
*/}}
{{- define "observability.serviceAccountName" -}}
{{- default "default" .Values.testServiceAccountName }}
{{- end }}
