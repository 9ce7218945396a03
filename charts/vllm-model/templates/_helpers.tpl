{{/*
vllm-model.name: the chart name, or .Values.nameOverride; trimmed to 63 characters (DNS label limit).
*/}}
{{- define "vllm-model.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
vllm-model.fullname: the name of every object of the release. .Values.fullnameOverride wins (the platform
stack sets it to the release name so the gateway knows the Service name); otherwise release-chart, or the
release name alone when it already contains the chart name. Trimmed to 63 characters.
*/}}
{{- define "vllm-model.fullname" -}}
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
vllm-model.chart: chart name and version, for the helm.sh/chart label.
*/}}
{{- define "vllm-model.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
vllm-model.labels: the standard labels on every object, plus the served model name.
*/}}
{{- define "vllm-model.labels" -}}
helm.sh/chart: {{ include "vllm-model.chart" . }}
{{ include "vllm-model.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: model-server
app.kubernetes.io/part-of: llm-platform
llm-platform/model: {{ .Values.model.servedName | quote }}
{{- end }}

{{/*
vllm-model.selectorLabels: the immutable subset of the labels that Deployments and Services select on.
*/}}
{{- define "vllm-model.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vllm-model.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
vllm-model.serviceAccountName: the service account the pods run as. The model-reader account is shared by
every model release and bound to the bucket-reading IAM role by EKS Pod Identity, so it is usually not created here.
*/}}
{{- define "vllm-model.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vllm-model.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
vllm-model.weightsPath: where the weights are synced to and served from.
*/}}
{{- define "vllm-model.weightsPath" -}}
{{- printf "%s/%s" .Values.weights.localPath .Values.model.huggingFaceId }}
{{- end }}

{{/*
vllm-model.loader: how the weights reach the GPUs, "s3-sync" (init container to node-local disk) or
"runai-streamer" (vLLM streams them from S3).
*/}}
{{- define "vllm-model.loader" -}}
{{- .Values.weights.loader | default "s3-sync" }}
{{- end }}

{{/*
vllm-model.modelPath: what vLLM's --model points at: the synced directory, or the weights' S3 prefix.
*/}}
{{- define "vllm-model.modelPath" -}}
{{- if eq (include "vllm-model.loader" .) "runai-streamer" }}
{{- printf "s3://%s/%s" .Values.weights.s3Bucket .Values.model.huggingFaceId }}
{{- else }}
{{- include "vllm-model.weightsPath" . }}
{{- end }}
{{- end }}
