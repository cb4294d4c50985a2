{{/* Chart name, overridable. */}}
{{- define "tally.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; role objects append "-<role>". */}}
{{- define "tally.fullname" -}}
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

{{/* Name of one role's objects. Argument: dict "root" $ "role" "<role>". */}}
{{- define "tally.roleName" -}}
{{- printf "%s-%s" (include "tally.fullname" .root | trunc 52 | trimSuffix "-") .role }}
{{- end }}

{{- define "tally.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object. */}}
{{- define "tally.labels" -}}
helm.sh/chart: {{ include "tally.chart" . }}
app.kubernetes.io/name: {{ include "tally.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tally
{{- end }}

{{/* Selector labels of one role. Argument: dict "root" $ "role" "<role>". */}}
{{- define "tally.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tally.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* All labels of one role's objects. Argument: dict "root" $ "role" "<role>". */}}
{{- define "tally.roleLabels" -}}
{{ include "tally.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "tally.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tally.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tally.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Refuses to render a release that would fall back to Tally's embedded defaults: inside a pod those
live in an emptyDir, so replicas would not share the event log, the ledger or the admin token,
and the image carries no chDB for an embedded ClickHouse.
*/}}
{{- define "tally.validate" -}}
{{- $v := .Values }}
{{- if and (or $v.ingest.enabled $v.aggregator.enabled) (not $v.kafka.bootstrapServers) }}
{{- fail "kafka.bootstrapServers is required: the ingest and aggregator roles share the event log through Kafka." }}
{{- end }}
{{- if and (or $v.aggregator.enabled $v.api.enabled) (not (or $v.clickhouse.existingSecret $v.clickhouse.connectionString)) }}
{{- fail "clickhouse.existingSecret (or clickhouse.connectionString) is required: the image has no embedded ClickHouse." }}
{{- end }}
{{- if not (or $v.ledger.existingSecret $v.ledger.connectionString) }}
{{- fail "ledger.existingSecret (or ledger.connectionString) is required: every role reads the PostgreSQL ledger." }}
{{- end }}
{{- if and $v.api.enabled (not $v.adminToken.existingSecret) }}
{{- fail "adminToken.existingSecret is required with the api role: otherwise each replica generates its own admin token." }}
{{- end }}
{{- end }}

{{/*
Environment of one role, from values and existing Secrets only. Argument: dict "root" $ "role" "<role>".
*/}}
{{- define "tally.env" -}}
{{- $root := .root }}
{{- $role := .role }}
- name: TALLY_DATA_DIR
  value: /var/lib/tally
{{- if or (eq $role "ingest") (eq $role "aggregator") }}
- name: TALLY_Kafka__BootstrapServers
  value: {{ $root.Values.kafka.bootstrapServers | quote }}
- name: TALLY_Kafka__Topic
  value: {{ $root.Values.kafka.topic | quote }}
{{- range $key, $value := $root.Values.kafka.settings }}
- name: {{ printf "TALLY_Kafka__Settings__%s" $key | quote }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- if or (eq $role "aggregator") (eq $role "api") }}
- name: TALLY_ClickHouse__ConnectionString
{{- if $root.Values.clickhouse.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.clickhouse.existingSecret | quote }}
      key: {{ $root.Values.clickhouse.existingSecretKey | quote }}
{{- else }}
  value: {{ $root.Values.clickhouse.connectionString | quote }}
{{- end }}
{{- end }}
- name: TALLY_Ledger__ConnectionString
{{- if $root.Values.ledger.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.ledger.existingSecret | quote }}
      key: {{ $root.Values.ledger.existingSecretKey | quote }}
{{- else }}
  value: {{ $root.Values.ledger.connectionString | quote }}
{{- end }}
{{- if eq $role "api" }}
- name: TALLY_ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.adminToken.existingSecret | quote }}
      key: {{ $root.Values.adminToken.existingSecretKey | quote }}
{{- if $root.Values.stripe.existingSecret }}
- name: TALLY_Stripe__EncryptionKey
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.stripe.existingSecret | quote }}
      key: {{ $root.Values.stripe.existingSecretKey | quote }}
{{- end }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
One role's Deployment. Argument: dict "root" $ "role" "<role>"; the role's settings are
.Values.<role> (enabled, replicas, port, resources).
*/}}
{{- define "tally.deployment" -}}
{{- $root := .root }}
{{- $role := .role }}
{{- $cfg := index $root.Values $role }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "tally.roleName" . }}
  labels:
    {{- include "tally.roleLabels" . | nindent 4 }}
spec:
  replicas: {{ $cfg.replicas }}
  selector:
    matchLabels:
      {{- include "tally.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "tally.roleLabels" . | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "tally.serviceAccountName" $root }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      # Tally drains on SIGTERM through the generic host (in-flight batches finish, offsets commit).
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ $role }}
          image: {{ include "tally.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - serve
            - --roles
            - {{ $role }}
            - --bind
            - 0.0.0.0
            - --port
            - {{ $cfg.port | quote }}
          ports:
            - name: http
              containerPort: {{ $cfg.port }}
              protocol: TCP
          env:
            {{- include "tally.env" . | trim | nindent 12 }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            {{- toYaml $root.Values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            {{- toYaml $root.Values.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml $cfg.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: /var/lib/tally
            - name: tmp
              mountPath: /tmp
            # ASP.NET Core keeps its data-protection keys under $HOME (/home/app); the root filesystem is read-only.
            - name: home
              mountPath: /home/app
      volumes:
        # With Kafka, ClickHouse and PostgreSQL configured only ingest keeps state here: its buffer of events not
        # yet in Kafka, which survives container restarts but not the pod (see helm/README.md).
        - name: data
          emptyDir: {}
        - name: tmp
          emptyDir: {}
        - name: home
          emptyDir: {}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
