{{/*
Shared pieces. The objects mirror src/deploy/*.ts (renderManifests); a test
renders this chart and requires the same objects for the same values.
*/}}

{{/* The worker flag for in-cluster API access: WORKER_KUBERNETES_FLAG in src/deploy/worker.ts. */}}
{{- define "podtap.kubernetesFlag" -}}
--in-cluster
{{- end }}

{{- define "podtap.tag" -}}
{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "podtap.image" -}}
{{ .Values.image.repository }}:{{ include "podtap.tag" . }}
{{- end }}

{{- define "podtap.secretName" -}}
{{ .Values.token.existingSecret | default (printf "%s-token" .Release.Name) }}
{{- end }}

{{- define "podtap.tlsSecretName" -}}
{{ .Values.tls.existingSecret | default (printf "%s-tls" .Release.Name) }}
{{- end }}

{{- define "podtap.hubScheme" -}}
{{ if .Values.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}

{{/* Selector labels: (dict "root" $ "component" "hub") */}}
{{- define "podtap.selectorLabels" -}}
app.kubernetes.io/name: podtap
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels: (dict "root" $ "component" "hub") */}}
{{- define "podtap.labels" -}}
{{ include "podtap.selectorLabels" . }}
app.kubernetes.io/version: {{ include "podtap.tag" .root | quote }}
app.kubernetes.io/part-of: podtap
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* nodeSelector, tolerations and priorityClassName of one component's values, each only when set. */}}
{{- define "podtap.placement" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end }}

{{- define "podtap.pullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
{{- end }}
{{- end }}

{{/* PODTAP_TOKEN from the Secret, never a literal. */}}
{{- define "podtap.tokenEnv" -}}
- name: PODTAP_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "podtap.secretName" . }}
      key: token
{{- end }}
