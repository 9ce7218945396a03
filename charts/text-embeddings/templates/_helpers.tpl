{{/*
text-embeddings.name: the chart name, or .Values.nameOverride; trimmed to 63 characters (DNS label limit).
*/}}
{{- define "text-embeddings.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
text-embeddings.fullname: the name of every object of the release. .Values.fullnameOverride wins (the platform
stack sets it to the release name so the gateway knows the Service name); otherwise release-chart, or the
release name alone when it already contains the chart name. Trimmed to 63 characters.
*/}}
{{- define "text-embeddings.fullname" -}}
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
text-embeddings.chart: chart name and version, for the helm.sh/chart label.
*/}}
{{- define "text-embeddings.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
text-embeddings.labels: the standard labels on every object, plus the served model name.
*/}}
{{- define "text-embeddings.labels" -}}
helm.sh/chart: {{ include "text-embeddings.chart" . }}
{{ include "text-embeddings.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: {{ .Values.role }}
app.kubernetes.io/part-of: llm-platform
llm-platform/model: {{ .Values.modelId | replace "/" "_" | trunc 63 | quote }}
{{- end }}

{{/*
text-embeddings.selectorLabels: the immutable subset of the labels that Deployments and Services select on.
*/}}
{{- define "text-embeddings.selectorLabels" -}}
app.kubernetes.io/name: {{ include "text-embeddings.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
text-embeddings.serviceAccountName: the service account the pods run as.
TEI needs no AWS access, so a dedicated account without a mounted token is created by default.
*/}}
{{- define "text-embeddings.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "text-embeddings.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
