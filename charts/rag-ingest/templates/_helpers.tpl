{{/*
rag-ingest.name: the chart name, or .Values.nameOverride; trimmed to 63 characters (DNS label limit).
*/}}
{{- define "rag-ingest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
rag-ingest.fullname: the name of every object of the release. .Values.fullnameOverride wins; otherwise
release-chart, or the release name alone when it already contains the chart name. Trimmed to 52 characters: the Job
controller names pods <job>-<index>-<5 random>, and the pod's hostname <job>-<index> must stay a DNS label.
*/}}
{{- define "rag-ingest.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
rag-ingest.chart: chart name and version, for the helm.sh/chart label (trunc 63).
*/}}
{{- define "rag-ingest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
rag-ingest.labels: the standard labels on every object, plus the collection ingested into.
*/}}
{{- define "rag-ingest.labels" -}}
helm.sh/chart: {{ include "rag-ingest.chart" . }}
{{ include "rag-ingest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: ingestion
app.kubernetes.io/part-of: llm-platform
llm-platform/collection: {{ .Values.collection | quote }}
{{- end }}

{{/*
rag-ingest.selectorLabels: the immutable subset of the labels the PodMonitor and the NetworkPolicies select on.
*/}}
{{- define "rag-ingest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rag-ingest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
rag-ingest.serviceAccountName: the service account the pods run as (for s3, the one Pod Identity maps to a role
that may read the bucket).
*/}}
{{- define "rag-ingest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rag-ingest.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
rag-ingest.validate: the values a run cannot do without, with messages naming them.
*/}}
{{- define "rag-ingest.validate" -}}
{{- if not .Values.collection }}{{ fail "collection is required: the Qdrant collection to ingest into" }}{{ end }}
{{- if not .Values.groups }}{{ fail "groups: at least one access group is required (there is no implicit everyone)" }}{{ end }}
{{- if gt (int .Values.parallelism) (int .Values.shards) }}{{ fail (printf "parallelism (%d) must not exceed shards (%d)" (int .Values.parallelism) (int .Values.shards)) }}{{ end }}
{{- if eq .Values.source.type "pvc" }}
{{- if not .Values.source.pvc.claimName }}{{ fail "source.pvc.claimName is required when source.type is pvc" }}{{ end }}
{{- else }}
{{- if or (not .Values.source.s3.bucket) (not .Values.source.s3.prefix) }}{{ fail "source.s3.bucket and source.s3.prefix are required when source.type is s3" }}{{ end }}
{{- end }}
{{- end }}
