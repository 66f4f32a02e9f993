#!/usr/bin/env python3
"""Checks deploy/ field by field: the Kustomize base and overlays (one of them with the Redis
component, deploy/components/redis), the Istio control-plane file, the Dockerfile, and the
authgate configuration each ConfigMap ships with the AUTHGATE_* values its Deployment sets (run
through the real `authgate check-config`).

Standard library only. YAML is turned into JSON by kubectl itself, offline: `kubectl kustomize`
renders, and `kubectl annotate --local -o json` (which never contacts a cluster) re-prints every
object as JSON after removing an annotation that is not there.

Usage: deploy_check.py --authgate BIN --repo ROOT [--no-helper]
Exit status 0 when every check passes; otherwise each failure on stderr and exit status 1.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

ACME_PATH = "/.well-known/acme-challenge/*"
SECRET_NAME = "authgate-secrets"
REPLICAS = 3
REDIS_NAME = "authgate-redis"
REDIS_PORT = 6379
CONFIG_PATH = "/etc/authgate/authgate.yaml"
GATEWAY_SELECTOR = {"istio": "ingressgateway"}

failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def expect(where, condition, message):
    if not condition:
        fail(where, message)
    return condition


def dig(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, (list, tuple)) and isinstance(key, int) and -len(obj) <= key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


# --- rendering -------------------------------------------------------------------------------

def kubectl_env():
    env = dict(os.environ)
    env["KUBECONFIG"] = os.devnull  # never a real cluster, whatever the caller has configured
    return env


def yaml_to_objects(yaml_text, what):
    """Every object of a YAML stream, as parsed by kubectl, without contacting a cluster."""
    run = subprocess.run(
        ["kubectl", "annotate", "--local", "-f", "-", "-o", "json", "deploy-check.invalid/absent-"],
        input=yaml_text, capture_output=True, text=True, env=kubectl_env(), check=False)
    if run.returncode != 0:
        raise RuntimeError(f"{what}: kubectl could not parse it: {run.stderr.strip()}")
    decoder = json.JSONDecoder()
    objects, text, at = [], run.stdout, 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        obj, at = decoder.raw_decode(text, at)
        if obj.get("kind") == "List":
            objects.extend(obj.get("items", []))
        else:
            objects.append(obj)
    return objects


def render(directory):
    run = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True,
                         env=kubectl_env(), check=False)
    if run.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {directory}: {run.stderr.strip()}")
    return yaml_to_objects(run.stdout, directory)


class Rendering:
    def __init__(self, name, objects):
        self.name = name
        self.objects = objects

    def all(self, kind, namespace=None):
        return [o for o in self.objects if o.get("kind") == kind and
                (namespace is None or dig(o, "metadata", "namespace") == namespace)]

    def one(self, kind, name, namespace=None):
        found = [o for o in self.all(kind, namespace) if dig(o, "metadata", "name") == name]
        expect(self.name, len(found) == 1,
               f"expected one {kind} {name!r}{' in ' + namespace if namespace else ''}, "
               f"found {len(found)}")
        return found[0] if found else None

    def where(self, kind, name):
        return f"{self.name}: {kind}/{name}"


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# --- authgate's own objects (base and every overlay) ----------------------------------------

def container_port(container, port):
    """A probe's or Service's port (number or name) as the container's port number."""
    if isinstance(port, int):
        return port
    for entry in container.get("ports", []):
        if entry.get("name") == port:
            return entry.get("containerPort")
    return None


def check_authgate_objects(r):
    """Checks the Deployment, Service, PDB and ServiceAccount; returns facts for later checks."""
    deployment = r.one("Deployment", "authgate")
    if deployment is None:
        return None
    w = r.where("Deployment", "authgate")
    namespace = dig(deployment, "metadata", "namespace")
    spec = deployment["spec"]
    pod = dig(spec, "template", "spec", default={})
    labels = dig(spec, "template", "metadata", "labels", default={})
    expect(w, spec.get("replicas") == REPLICAS, f"replicas {spec.get('replicas')}, want {REPLICAS}")
    rolling = dig(spec, "strategy", "rollingUpdate", default={})
    expect(w, dig(spec, "strategy", "type") == "RollingUpdate" and
           rolling.get("maxUnavailable") in (0, "0%") and rolling.get("maxSurge") == 1,
           "a rolling update must start one new pod before stopping an old one "
           "(maxUnavailable 0, maxSurge 1)")
    expect(w, selects(dig(spec, "selector", "matchLabels"), labels),
           "selector does not match the pod labels")

    psc = pod.get("securityContext", {})
    expect(w, psc.get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot is not true")
    expect(w, psc.get("runAsUser") == 65532, "pod securityContext.runAsUser is not 65532")
    containers = [c for c in pod.get("containers", []) if c.get("name") == "authgate"]
    if not expect(w, len(containers) == 1, "no container named authgate"):
        return None
    c = containers[0]
    csc = c.get("securityContext", {})
    expect(w, csc.get("runAsNonRoot") is True, "container runAsNonRoot is not true")
    expect(w, csc.get("runAsUser") == 65532, "container runAsUser is not 65532")
    expect(w, csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    expect(w, csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    expect(w, csc.get("privileged") in (None, False), "container is privileged")
    expect(w, dig(csc, "capabilities", "drop") == ["ALL"], "capabilities.drop is not [ALL]")
    expect(w, not dig(csc, "capabilities", "add"), "capabilities are added")
    for where, sc in (("pod", psc), ("container", csc)):
        expect(w, dig(sc, "seccompProfile", "type") == "RuntimeDefault",
               f"{where} seccompProfile is not RuntimeDefault")

    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    expect(w, ports.get("http") == 4180, f"container port http is {ports.get('http')}, want 4180")
    expect(w, ports.get("grpc") == 9191, f"container port grpc is {ports.get('grpc')}, want 9191")
    expect(w, ports.get("metrics") == 9090, f"container port metrics is {ports.get('metrics')}, want 9090")
    probes = {}
    for probe, path in (("livenessProbe", "/ping"), ("readinessProbe", "/ready")):
        get = dig(c, probe, "httpGet", default={})
        probes[probe] = get.get("path")
        expect(w, get.get("path") == path, f"{probe} path {get.get('path')!r}, want {path!r}")
        expect(w, container_port(c, get.get("port")) == 4180, f"{probe} is not on port 4180")
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            expect(w, dig(c, "resources", kind, resource) is not None,
                   f"resources.{kind}.{resource} is not set")

    args = (c.get("command") or [])[1:] + (c.get("args") or [])
    expect(w, args[-2:] == ["--config", CONFIG_PATH], f"not started with --config {CONFIG_PATH}")

    # Spread over nodes: a topology spread on the hostname, or pod anti-affinity on it.
    spread = [t for t in pod.get("topologySpreadConstraints", [])
              if t.get("topologyKey") == "kubernetes.io/hostname" and
              selects(dig(t, "labelSelector", "matchLabels"), labels)]
    anti = dig(pod, "affinity", "podAntiAffinity", default={})
    anti_terms = anti.get("requiredDuringSchedulingIgnoredDuringExecution", []) + [
        t.get("podAffinityTerm", {})
        for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])]
    anti_host = [t for t in anti_terms if t.get("topologyKey") == "kubernetes.io/hostname"]
    expect(w, spread or anti_host, "replicas are not spread across nodes")

    # Configuration: the ConfigMap's authgate.yaml mounted at CONFIG_PATH.
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts", [])}
    config_text = None
    config_mount = mounts.get(CONFIG_PATH)
    if expect(w, config_mount is not None, f"nothing mounted at {CONFIG_PATH}"):
        volume = volumes.get(config_mount.get("name"), {})
        cm_name = dig(volume, "configMap", "name")
        if expect(w, cm_name is not None, "the configuration volume is not a ConfigMap"):
            cm = r.one("ConfigMap", cm_name, namespace)
            key = config_mount.get("subPath", "")
            if cm is not None:
                config_text = dig(cm, "data", key)
                expect(w, config_text is not None, f"ConfigMap {cm_name} has no key {key!r}")

    # Secrets: files from the Secret users create; never a Secret object in the rendering.
    secret_files = {}  # mounted path -> key of the Secret
    for volume in volumes.values():
        secret = volume.get("secret")
        if secret is None:
            continue
        expect(w, secret.get("secretName") == SECRET_NAME,
               f"mounts Secret {secret.get('secretName')!r}, want {SECRET_NAME!r}")
        mount = [m for m in c.get("volumeMounts", []) if m.get("name") == volume.get("name")]
        if expect(w, len(mount) == 1, f"secret volume {volume.get('name')} is not mounted once"):
            expect(w, mount[0].get("readOnly") is True, "the secret volume is not read-only")
            for item in secret.get("items", []):
                secret_files[f"{mount[0]['mountPath']}/{item['path']}"] = item["key"]
    for env in c.get("env", []):
        ref = dig(env, "valueFrom", "secretKeyRef")
        if ref is not None:
            expect(w, ref.get("name") == SECRET_NAME, f"env {env.get('name')} from another Secret")
    expect(r.name, not r.all("Secret"), "a Secret is committed in the manifests")
    expect(w, not any(e.get("value") and not e.get("name", "").upper().endswith("_FILE") and
                      ("SECRET" in e.get("name", "").upper() or
                       "PASSWORD" in e.get("name", "").upper())
                      for e in c.get("env", [])), "a secret is written inline in env")

    sa = pod.get("serviceAccountName")
    expect(w, sa is not None and r.one("ServiceAccount", sa, namespace) is not None,
           "no ServiceAccount of its own")

    service = r.one("Service", "authgate", namespace)
    service_ports = {}
    if service is not None:
        ws = r.where("Service", "authgate")
        expect(ws, selects(dig(service, "spec", "selector"), labels),
               "selector does not match the authgate pods")
        for p in dig(service, "spec", "ports", default=[]):
            service_ports[p.get("name")] = p
        http, grpc = service_ports.get("http", {}), service_ports.get("grpc", {})
        expect(ws, http.get("port") == 4180, "port http is not 4180")
        expect(ws, container_port(c, http.get("targetPort")) == 4180, "http targets not 4180")
        expect(ws, grpc.get("port") == 9191, "port grpc is not 9191")
        expect(ws, container_port(c, grpc.get("targetPort")) == 9191, "grpc targets not 9191")
        expect(ws, grpc.get("appProtocol") == "grpc", "port grpc has no appProtocol grpc")

    pdbs = [p for p in r.all("PodDisruptionBudget", namespace)
            if selects(dig(p, "spec", "selector", "matchLabels"), labels)]
    if expect(r.name, len(pdbs) == 1, "expected one PodDisruptionBudget for the authgate pods"):
        pdb = pdbs[0]["spec"]
        # One pod at a time, whatever the replica count (minAvailable would block every drain
        # of an overlay that scales below it).
        expect(r.name, pdb.get("maxUnavailable") == 1 and "minAvailable" not in pdb,
               f"PDB allows maxUnavailable {pdb.get('maxUnavailable')}, minAvailable "
               f"{pdb.get('minAvailable')}; want maxUnavailable 1")

    # Settings from literal AUTHGATE_* variables override the file: check-config gets them too.
    settings_env = {e["name"]: e["value"] for e in c.get("env", [])
                    if e.get("name", "").startswith("AUTHGATE_") and "value" in e}
    return {"namespace": namespace, "config": config_text, "secret_files": secret_files,
            "env": settings_env, "labels": labels,
            "service_ports": {k: v.get("port") for k, v in service_ports.items()},
            "probes": probes}


# --- the configuration, through the real binary ----------------------------------------------

def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUTHGATE_", "OAUTH2_PROXY_"))}
    return env


def parse_summary(text):
    """`key  value  source` lines of check-config into {key: (value, source)}."""
    summary = {}
    for line in text.splitlines():
        match = re.match(r"^(\S+)\s+(.*?)\s{2,}(default|file|env|flag|secret file)$", line)
        if match:
            value = match.group(2)
            try:
                value = json.loads(value)
            except ValueError:
                pass
            summary[match.group(1)] = (value, match.group(3))
    return summary


# Each option naming a secret file: the variable that points it elsewhere, and a valid dummy.
SECRET_FILE_OPTIONS = {
    "provider.client_secret_file": ("AUTHGATE_PROVIDER_CLIENT_SECRET_FILE",
                                    "dummy-client-secret\n"),
    "cookie.secret_file": ("AUTHGATE_COOKIE_SECRET_FILE",
                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"),
    "redis.password_file": ("AUTHGATE_REDIS_PASSWORD_FILE", "dummy-redis-password\n"),
}
ALWAYS_SECRET_FILES = {"provider.client_secret_file", "cookie.secret_file"}


def check_config(authgate, name, facts, workdir):
    """Runs `authgate check-config` on the shipped file, with the AUTHGATE_* values the Deployment
    sets; returns the effective values, secret files as the pod names them."""
    w = f"{name}: authgate.yaml"
    if facts is None or facts["config"] is None:
        fail(w, "no configuration to check")
        return {}
    path = os.path.join(workdir, f"{name.replace('/', '_')}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(facts["config"])
    pod_env = {**clean_env(), **facts["env"]}

    # 1. As the pod starts it, outside the pod: the only problems are the secret files, and they
    #    are exactly files the Deployment mounts from the Secret.
    run = subprocess.run([authgate, "check-config", "--config", path], capture_output=True,
                         text=True, env=pod_env, check=False)
    expect(w, run.returncode == 1, f"check-config without the secret files: exit {run.returncode}")
    problems = sorted(l for l in run.stderr.splitlines() if not l.startswith("warning:"))
    wanted = {}
    for line in problems:
        match = re.match(r'^(' + "|".join(re.escape(o) for o in SECRET_FILE_OPTIONS) +
                         r'): cannot read "([^"]+)": ', line)
        if not expect(w, match is not None, f"unexpected problem: {line}"):
            continue
        wanted[match.group(1)] = match.group(2)
        expect(w, match.group(2) in facts["secret_files"],
               f"{match.group(1)} is {match.group(2)}, which the Deployment does not mount "
               f"(it mounts {sorted(facts['secret_files'])})")

    # 2. With dummy secret files in their place: valid, no warnings.
    env = dict(pod_env)
    for option in sorted(ALWAYS_SECRET_FILES | set(wanted)):
        variable, content = SECRET_FILE_OPTIONS[option]
        dummy = os.path.join(workdir, option.replace(".", "_"))
        with open(dummy, "w", encoding="utf-8") as f:
            f.write(content)
        env[variable] = dummy
    run = subprocess.run([authgate, "check-config", "--config", path], capture_output=True,
                         text=True, env=env, check=False)
    if not expect(w, run.returncode == 0,
                  f"check-config failed (exit {run.returncode}): {run.stderr.strip()}"):
        return {}
    expect(w, run.stderr.strip() == "", f"check-config warns: {run.stderr.strip()}")
    summary = parse_summary(run.stdout)
    expect(w, len(summary) > 20, "check-config printed no summary")
    secrets = set(ALWAYS_SECRET_FILES)
    if dig(summary, "session_store", 0) == "redis":
        secrets.add("redis.password_file")
    expect(w, set(wanted) == secrets, "secrets must come from the mounted Secret files "
           f"(files named: {sorted(wanted)}, want {sorted(secrets)})")
    for option in sorted(secrets):
        key = option[:-len("_file")]
        expect(w, dig(summary, key, 1) == "secret file", f"{key} is not read from its file")
    address = dig(summary, "server.http_address", 0, default="")
    expect(w, address.rsplit(":", 1)[-1] == "4180", f"server.http_address {address!r} not :4180")
    expect(w, dig(summary, "ping_path", 0) == facts["probes"].get("livenessProbe"),
           "ping_path is not the liveness probe's path")
    expect(w, dig(summary, "ready_path", 0) == facts["probes"].get("readinessProbe"),
           "ready_path is not the readiness probe's path")
    return {**{k: v[0] for k, v in summary.items()}, **wanted}


# --- Redis sessions (deploy/components/redis) ------------------------------------------------

def option_value(argv, option):
    """The word after `option` in a command line, or None."""
    return argv[argv.index(option) + 1] if option in argv[:-1] else None


def probe_reaches_redis(container, probe):
    command = " ".join(dig(probe, "exec", "command", default=[]))
    port = dig(probe, "tcpSocket", "port")
    return ("redis-cli" in command and "ping" in command) or \
        (port is not None and container_port(container, port) == REDIS_PORT)


def check_redis(r, facts, config):
    """With session_store: redis, authgate's redis.* settings reach the Redis of the rendering,
    which keeps its data, asks for the password authgate reads, and runs unprivileged."""
    name, ns = r.name, facts["namespace"]
    statefulsets = [s for s in r.all("StatefulSet") if dig(s, "metadata", "name") == REDIS_NAME]
    if config.get("session_store") != "redis":
        expect(name, not statefulsets,
               f"StatefulSet {REDIS_NAME} but session_store {config.get('session_store')!r}")
        return
    sts = r.one("StatefulSet", REDIS_NAME, ns)
    if sts is None:
        return
    w = r.where("StatefulSet", REDIS_NAME)
    spec = sts["spec"]
    pod = dig(spec, "template", "spec", default={})
    labels = dig(spec, "template", "metadata", "labels", default={})
    expect(w, spec.get("replicas") == 1, f"replicas {spec.get('replicas')}: a single Redis has 1")
    expect(w, selects(dig(spec, "selector", "matchLabels"), labels),
           "selector does not match the pod labels")
    expect(w, not selects(dig(spec, "selector", "matchLabels"), facts["labels"]),
           "its selector also matches authgate's pods")
    expect(w, r.one("Service", spec.get("serviceName"), ns) is not None,
           f"serviceName {spec.get('serviceName')!r} is not a Service")
    containers = pod.get("containers", [])
    if not expect(w, len(containers) == 1, "expected one container"):
        return
    c = containers[0]
    expect(w, c.get("image", "").startswith("redis:"), f"image {c.get('image')!r} is not redis:*")
    argv = (c.get("command") or []) + (c.get("args") or [])
    expect(w, option_value(argv, "--appendonly") == "yes",
           "--appendonly is not yes: a restart would end every session")

    # Persistence: --dir is a volume from a volumeClaimTemplate.
    claims = {dig(t, "metadata", "name") for t in spec.get("volumeClaimTemplates", [])}
    data_dir = option_value(argv, "--dir")
    mounts = [m for m in c.get("volumeMounts", []) if m.get("mountPath") == data_dir]
    expect(w, mounts and mounts[0].get("name") in claims,
           f"--dir {data_dir!r} is not a volume from volumeClaimTemplates {sorted(claims)}")

    # The password: --requirepass $(VAR), VAR from the same Secret key as redis.password_file.
    env = {e.get("name"): e for e in c.get("env", [])}
    requirepass = option_value(argv, "--requirepass") or ""
    variable = re.fullmatch(r"\$\((\w+)\)", requirepass)
    redis_key = None
    if expect(w, variable is not None, f"--requirepass {requirepass!r} is not $(VARIABLE)"):
        ref = dig(env, variable.group(1), "valueFrom", "secretKeyRef", default={})
        redis_key = ref.get("key")
        expect(w, ref.get("name") == SECRET_NAME,
               f"{variable.group(1)} is not from Secret {SECRET_NAME}")
    password_file = config.get("redis.password_file", "")
    authgate_key = facts["secret_files"].get(password_file)
    expect(w, redis_key is not None and redis_key == authgate_key,
           f"requirepass is Secret key {redis_key!r}, but authgate's redis.password_file "
           f"{password_file!r} is key {authgate_key!r}")

    psc = pod.get("securityContext", {})
    csc = c.get("securityContext", {})
    expect(w, psc.get("runAsNonRoot") is True or csc.get("runAsNonRoot") is True,
           "runAsNonRoot is not true")
    expect(w, csc.get("runAsUser", psc.get("runAsUser")) not in (None, 0), "runs as root")
    expect(w, csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    expect(w, dig(csc, "capabilities", "drop") == ["ALL"], "capabilities.drop is not [ALL]")
    expect(w, csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    expect(w, pod.get("automountServiceAccountToken") is False, "mounts a service-account token")
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            expect(w, dig(c, "resources", kind, resource) is not None,
                   f"resources.{kind}.{resource} is not set")
    for probe in ("livenessProbe", "readinessProbe"):
        expect(w, probe_reaches_redis(c, c.get(probe, {})),
               f"{probe} is neither `redis-cli ping` nor a TCP check of port {REDIS_PORT}")

    # authgate's redis.connection_url names a Service port that reaches this Redis.
    url = config.get("redis.connection_url", "")
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").split(".")
    port = parts.port or REDIS_PORT
    expect(name, parts.scheme in ("redis", "rediss") and (len(host) == 1 or host[1] == ns),
           f"redis.connection_url {url!r} is not a redis:// URL of a Service in {ns}")
    service = r.one("Service", host[0], ns)
    if service is not None:
        ws = r.where("Service", host[0])
        expect(ws, selects(dig(service, "spec", "selector"), labels),
               "selector does not match the Redis pod")
        expect(ws, any(p.get("port") == port and
                       container_port(c, p.get("targetPort", p.get("port"))) == REDIS_PORT
                       for p in dig(service, "spec", "ports", default=[])),
               f"no port {port} (redis.connection_url {url!r}) to Redis's {REDIS_PORT}")

    # Only authgate's pods may connect.
    policies = [p for p in r.all("NetworkPolicy", ns)
                if selects(dig(p, "spec", "podSelector", "matchLabels"), labels)]
    admits = [rule for p in policies for rule in dig(p, "spec", "ingress", default=[])
              if any(selects(dig(f, "podSelector", "matchLabels"), facts["labels"])
                     for f in rule.get("from", [])) and
              any(container_port(c, q.get("port")) == REDIS_PORT for q in rule.get("ports", []))]
    expect(name, policies, f"no NetworkPolicy limits who reaches {REDIS_NAME}")
    expect(name, not policies or admits,
           f"the NetworkPolicy of {REDIS_NAME} does not admit authgate's pods on {REDIS_PORT}")


# --- the Istio overlay -----------------------------------------------------------------------

def on_gateway(obj):
    return dig(obj, "metadata", "namespace") == "istio-system" and \
        dig(obj, "spec", "selector", "matchLabels") == GATEWAY_SELECTOR


def check_istio(r, facts, config, operator):
    name = r.name
    ns = facts["namespace"] if facts else None
    expect(name, ns not in (None, "default", "istio-system"), f"authgate in namespace {ns!r}")
    issuer = config.get("provider.issuer_url")
    client_id = config.get("provider.client_id")
    expect(name, config.get("upstreams") == ["static://200"],
           f"upstreams {config.get('upstreams')}, want [static://200] (Envoy HTTP check mode)")
    expect(name, config.get("headers.gateway.authorization") is True,
           "headers.gateway.authorization is off: the ID token never reaches "
           "RequestAuthentication and the ALLOW policy denies everything")

    # Extension providers (istio-operator.yaml).
    wo = "istio-operator.yaml"
    providers = {p.get("name"): p for p in dig(operator, "spec", "meshConfig",
                                               "extensionProviders", default=[])}
    host = f"authgate.{ns}.svc.cluster.local"
    http = dig(providers, "authgate-http", "envoyExtAuthzHttp")
    grpc = dig(providers, "authgate-grpc", "envoyExtAuthzGrpc")
    if expect(wo, http is not None, "no envoyExtAuthzHttp provider authgate-http"):
        expect(wo, http.get("service") == host, f"http service {http.get('service')!r}, want {host!r}")
        expect(wo, http.get("port") == facts["service_ports"].get("http"),
               "http port is not the Service's http port")
        expect(wo, http.get("failOpen") in (None, False), "http provider fails open")
        headers = {h.lower() for h in http.get("includeRequestHeadersInCheck") or []}
        for h in ("cookie", "authorization", "x-forwarded-proto", "x-forwarded-host"):
            expect(wo, h in headers, f"includeRequestHeadersInCheck lacks {h}")
        upstream = {h.lower() for h in http.get("headersToUpstreamOnAllow") or []}
        expect(wo, "authorization" in upstream, "headersToUpstreamOnAllow lacks authorization")
        expect(wo, "x-auth-request-*" in upstream or
               {"x-auth-request-user", "x-auth-request-email"} <= upstream,
               "headersToUpstreamOnAllow lacks the x-auth-request-* headers")
        deny = {h.lower() for h in http.get("headersToDownstreamOnDeny") or []}
        for h in ("set-cookie", "location"):
            expect(wo, h in deny, f"headersToDownstreamOnDeny lacks {h}")
        allow = {h.lower() for h in http.get("headersToDownstreamOnAllow") or []}
        expect(wo, "set-cookie" in allow,
               "headersToDownstreamOnAllow lacks set-cookie: refreshed sessions would be lost")
    if expect(wo, grpc is not None, "no envoyExtAuthzGrpc provider authgate-grpc"):
        expect(wo, grpc.get("service") == host, f"grpc service {grpc.get('service')!r}, want {host!r}")
        expect(wo, grpc.get("port") == facts["service_ports"].get("grpc") == 9191,
               "grpc port is not the Service's grpc port 9191")
        expect(wo, grpc.get("failOpen") in (None, False), "grpc provider fails open")

    # CUSTOM policy on the ingress gateway, skipping ACME challenges in every rule.
    policies = r.all("AuthorizationPolicy")
    custom = [p for p in policies if dig(p, "spec", "action") == "CUSTOM"]
    if expect(name, len(custom) == 1, f"expected one CUSTOM policy, found {len(custom)}"):
        p = custom[0]
        wp = r.where("AuthorizationPolicy", dig(p, "metadata", "name"))
        expect(wp, on_gateway(p), "does not select the ingress gateway in istio-system")
        expect(wp, dig(p, "spec", "provider", "name") in providers,
               f"provider {dig(p, 'spec', 'provider', 'name')!r} is not an extension provider")
        rules = dig(p, "spec", "rules", default=[])
        expect(wp, rules, "no rules (a CUSTOM policy without rules never triggers)")
        for i, rule in enumerate(rules):
            ops = [t.get("operation", {}) for t in rule.get("to", [])]
            expect(wp, ops and all(ACME_PATH in op.get("notPaths", []) for op in ops),
                   f"rule {i} does not exclude {ACME_PATH} (notPaths): certificates would never "
                   "be issued")

    # RequestAuthentication: checks the ID token and keeps it for the app.
    ras = [a for a in r.all("RequestAuthentication") if on_gateway(a)]
    if expect(name, len(ras) == 1, "expected one RequestAuthentication on the ingress gateway"):
        wr = r.where("RequestAuthentication", dig(ras[0], "metadata", "name"))
        rules = dig(ras[0], "spec", "jwtRules", default=[])
        expect(wr, rules, "no jwtRules")
        for rule in rules:
            expect(wr, rule.get("forwardOriginalToken") is True,
                   "forwardOriginalToken is not true: the Authorization header would be stripped")
            expect(wr, rule.get("issuer") == issuer, f"issuer {rule.get('issuer')!r} is not "
                   f"authgate's provider.issuer_url {issuer!r}")
            expect(wr, client_id in rule.get("audiences", []), "audiences lack the client id")

    # The audience-restricted ALLOW policy, which also admits the ACME challenge.
    allows = [p for p in policies if on_gateway(p) and dig(p, "spec", "action", default="ALLOW")
              == "ALLOW"]
    if expect(name, len(allows) == 1, "expected one ALLOW policy on the ingress gateway"):
        wa = r.where("AuthorizationPolicy", dig(allows[0], "metadata", "name"))
        rules = dig(allows[0], "spec", "rules", default=[])
        audience_rules = [
            rule for rule in rules
            if any(cond.get("key") == "request.auth.audiences" and client_id in cond.get("values", [])
                   for cond in rule.get("when", []))]
        if expect(wa, audience_rules, f"no rule requires request.auth.audiences {client_id!r}"):
            principals = [pr for rule in audience_rules for src in rule.get("from", [])
                          for pr in dig(src, "source", "requestPrincipals", default=[])]
            expect(wa, principals and all(pr == f"{issuer}/*" for pr in principals),
                   f"requestPrincipals {principals}, want [{issuer}/*]")
        acme = [rule for rule in rules if not rule.get("from") and not rule.get("when") and
                any(ACME_PATH in dig(t, "operation", "paths", default=[])
                    for t in rule.get("to", []))]
        expect(wa, acme, f"no rule allows {ACME_PATH}: the CUSTOM policy skips it, so this "
               "ALLOW policy would deny the challenge")

    # Sidecars and mTLS in the app's and authgate's namespaces.
    for namespace in ("demo", ns):
        obj = r.one("Namespace", namespace)
        if obj is not None:
            expect(name, dig(obj, "metadata", "labels", "istio-injection") == "enabled",
                   f"namespace {namespace} has no sidecar injection")
        pas = [p for p in r.all("PeerAuthentication", namespace)
               if dig(p, "spec", "mtls", "mode") == "STRICT" and not dig(p, "spec", "selector")]
        expect(name, pas, f"no namespace-wide STRICT PeerAuthentication in {namespace}")

    # The app: Deployment and Service in demo, Gateway, VirtualService, certificate.
    hello = r.one("Deployment", "hello-world", "demo")
    svc = r.one("Service", "hello-world", "demo")
    if hello is not None and svc is not None:
        expect(name, selects(dig(svc, "spec", "selector"),
                             dig(hello, "spec", "template", "metadata", "labels", default={})),
               "Service hello-world does not select the hello-world pods")
    gateways = r.all("Gateway")
    vss = r.all("VirtualService", "demo")
    if expect(name, len(gateways) == 1 and len(vss) == 1, "expected one Gateway, one VirtualService"):
        gw, vs = gateways[0], vss[0]
        gw_ref = f"{dig(gw, 'metadata', 'namespace')}/{dig(gw, 'metadata', 'name')}"
        expect(name, dig(gw, "spec", "selector") == GATEWAY_SELECTOR, "Gateway selector")
        expect(name, gw_ref in dig(vs, "spec", "gateways", default=[]),
               f"VirtualService is not bound to {gw_ref}")
        hosts = dig(vs, "spec", "hosts", default=[])
        redirect = config.get("redirect_url", "")
        expect(name, any(redirect == f"https://{h}/oauth2/callback" for h in hosts),
               f"redirect_url {redirect!r} is not https://<app host>/oauth2/callback")
        destinations = [dig(route, "destination", "host") for http_route in
                        dig(vs, "spec", "http", default=[]) for route in http_route.get("route", [])]
        expect(name, "hello-world.demo.svc.cluster.local" in destinations or
               "hello-world" in destinations, "VirtualService does not route to hello-world")
        https = [s for s in dig(gw, "spec", "servers", default=[])
                 if dig(s, "port", "protocol") == "HTTPS"]
        expect(name, https and any(dig(s, "port", "number") == 80 and
                                   dig(s, "port", "protocol") == "HTTP"
                                   for s in dig(gw, "spec", "servers", default=[])),
               "Gateway needs an HTTPS server and an HTTP one (ACME HTTP-01)")
        for s in dig(gw, "spec", "servers", default=[]):
            expect(name, not dig(s, "tls", "httpsRedirect"),
                   "an HTTPS redirect on the Gateway also redirects the ACME challenge")
        certs = r.all("Certificate", dig(gw, "metadata", "namespace"))
        for s in https:
            secret = dig(s, "tls", "credentialName")
            match = [c for c in certs if dig(c, "spec", "secretName") == secret]
            if expect(name, match, f"no Certificate writes {secret!r} beside the gateway"):
                cert = match[0]
                expect(name, set(s.get("hosts", [])) <= set(dig(cert, "spec", "dnsNames", default=[])),
                       "the Certificate does not cover the Gateway's hosts")
                issuer_ref = dig(cert, "spec", "issuerRef", default={})
                ci = r.one("ClusterIssuer", issuer_ref.get("name")) \
                    if issuer_ref.get("kind") == "ClusterIssuer" else None
                if expect(name, ci is not None, "the Certificate's ClusterIssuer is missing"):
                    classes = [dig(sv, "http01", "ingress", "ingressClassName") or
                               dig(sv, "http01", "ingress", "class")
                               for sv in dig(ci, "spec", "acme", "solvers", default=[])]
                    expect(name, "istio" in classes, "no HTTP-01 solver through class istio")
                    ic = r.one("IngressClass", "istio")
                    expect(name, ic is not None and dig(ic, "spec", "controller") ==
                           "istio.io/ingress-controller", "IngressClass istio is missing")


# --- the ingress-nginx overlay ---------------------------------------------------------------

def check_nginx(r, facts, config):
    name = r.name
    ns = facts["namespace"] if facts else None
    prefix = config.get("proxy_prefix", "/oauth2")
    ingresses = r.all("Ingress")
    protected = [i for i in ingresses
                 if "nginx.ingress.kubernetes.io/auth-url" in dig(i, "metadata", "annotations",
                                                                   default={})]
    own = [i for i in ingresses if dig(i, "metadata", "namespace") == ns]
    if not expect(name, len(protected) == 1 and len(own) == 1,
                  "expected the app's Ingress (auth-url) and authgate's own Ingress"):
        return
    app, gate = protected[0], own[0]
    wa = r.where("Ingress", dig(app, "metadata", "name"))
    notes = dig(app, "metadata", "annotations")
    port = facts["service_ports"].get("http")
    want = f"http://authgate.{ns}.svc.cluster.local:{port}{prefix}/auth"
    expect(wa, notes["nginx.ingress.kubernetes.io/auth-url"] == want,
           f"auth-url {notes['nginx.ingress.kubernetes.io/auth-url']!r}, want {want!r}")
    signin = notes.get("nginx.ingress.kubernetes.io/auth-signin", "")
    expect(wa, re.match(rf"^https://\$host{re.escape(prefix)}/start\?rd=\$escaped_request_uri$",
                        signin), f"auth-signin {signin!r}")
    response = [h.strip().lower() for h in
                notes.get("nginx.ingress.kubernetes.io/auth-response-headers", "").split(",")]
    for h in ("x-auth-request-user", "x-auth-request-email", "x-auth-request-groups"):
        expect(wa, h in response, f"auth-response-headers lacks {h}")
    expect(wa, dig(app, "spec", "ingressClassName") == "nginx", "ingressClassName is not nginx")
    expect(wa, notes.get("nginx.ingress.kubernetes.io/auth-always-set-cookie") == "true",
           "auth-always-set-cookie is not true: a refreshed session cookie can be lost")

    wg = r.where("Ingress", dig(gate, "metadata", "name"))
    expect(wg, "nginx.ingress.kubernetes.io/auth-url" not in
           dig(gate, "metadata", "annotations", default={}), "authgate's own Ingress is gated")
    app_hosts = {rule.get("host") for rule in dig(app, "spec", "rules", default=[])}
    paths = [(rule.get("host"), p) for rule in dig(gate, "spec", "rules", default=[])
             for p in dig(rule, "http", "paths", default=[])]
    ok = [p for host, p in paths if host in app_hosts and p.get("path") == prefix and
          p.get("pathType") == "Prefix" and dig(p, "backend", "service", "name") == "authgate" and
          dig(p, "backend", "service", "port", "name") in ("http", None) and
          dig(p, "backend", "service", "port", "number") in (port, None)]
    expect(wg, ok, f"does not send {prefix} on the app's host to Service authgate port http")
    redirect = config.get("redirect_url", "")
    expect(name, any(redirect == f"https://{h}{prefix}/callback" for h in app_hosts),
           f"redirect_url {redirect!r} is not https://<app host>{prefix}/callback")
    hello = r.one("Service", "hello-world", dig(app, "metadata", "namespace"))
    expect(wa, hello is not None, "the app's Service is missing")


# --- Dockerfile ------------------------------------------------------------------------------

def bootstrap_build_packages(path):
    text = open(path, encoding="utf-8").read()
    match = re.search(r"debian_packages=\((.*?)\n\)", text, re.S)
    if match is None:
        raise RuntimeError(f"{path}: no debian_packages=( ... ) list")
    packages = re.sub(r"#[^\n]*", "", match.group(1)).split()
    test_only = {"libgtest-dev", "libgmock-dev", "libbenchmark-dev", "libclang-rt-14-dev"}
    build = {p for p in packages if (p.endswith("-dev") or p.startswith("protobuf-compiler"))
             and p not in test_only}
    return build | {"build-essential", "cmake", "ninja-build"}


def dockerfile_stages(text):
    """[(from_line, [instruction lines])] with continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        if not current and (raw.lstrip().startswith("#") or not raw.strip()):
            continue
        if raw.lstrip().startswith("#"):
            continue
        current += raw.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        lines.append(" ".join(current.split()))
        current = ""
    stages = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        elif stages:
            stages[-1][1].append(line)
    return lines, stages


def check_dockerfile(repo, authgate, run_helper):
    w = "deploy/Dockerfile"
    path = os.path.join(repo, "deploy", "Dockerfile")
    if not expect(w, os.path.isfile(path), "missing"):
        return
    lines, stages = dockerfile_stages(open(path, encoding="utf-8").read())
    if not expect(w, len(stages) >= 2, "not a multi-stage build"):
        return
    build_from, build_lines = stages[0]
    final_from, final_lines = stages[-1]
    m = re.match(r"FROM (\S+) AS (\S+)$", build_from, re.I)
    if not expect(w, m is not None and m.group(1) in ("debian:bookworm", "debian:12"),
                  f"build stage {build_from!r} is not a named debian:bookworm stage"):
        return
    build_name = m.group(2)
    expect(w, re.match(r"FROM debian:(bookworm|12)-slim( AS \S+)?$", final_from, re.I),
           f"runtime stage {final_from!r} is not debian:bookworm-slim")
    build_text = "\n".join(build_lines)
    installs = set()
    for line in build_lines:
        if "apt-get install" in line:
            installs |= {word for word in line.split("apt-get install", 1)[1].split("&&")[0].split()
                         if not word.startswith("-")}
    try:
        missing = bootstrap_build_packages(os.path.join(repo, "scripts", "bootstrap")) - installs
        expect(w, not missing,
               f"build stage lacks packages scripts/bootstrap lists: {sorted(missing)}")
    except (OSError, RuntimeError) as error:
        fail(w, f"cannot compare with scripts/bootstrap: {error}")
    expect(w, re.search(r"cmake --preset release\b", build_text), "no cmake --preset release")
    expect(w, re.search(r"cmake --build \S+ --target authgate\b", build_text),
           "the build is not limited to the authgate target")
    final_installs = " ".join(l for l in final_lines if "apt-get install" in l)
    expect(w, "ca-certificates" in final_installs, "runtime stage lacks ca-certificates")
    expect(w, not re.search(r"\S+-dev\b|build-essential|cmake", final_installs),
           "runtime stage installs build packages")
    copies = [l for l in final_lines if l.upper().startswith("COPY")]
    expect(w, copies and all(l.startswith(f"COPY --from={build_name} ") for l in copies),
           f"runtime stage copies something not from stage {build_name}")
    expect(w, any(l.endswith(" /usr/local/bin/authgate") for l in copies),
           "the authgate binary is not copied in")
    expect(w, "runtime-packages.sh" in build_text, "runtime packages are not derived from ldd")
    users = [l.split(None, 1)[1] for l in final_lines if l.upper().startswith("USER ")]
    if expect(w, users, "no USER in the runtime stage"):
        uid = users[-1].split(":")[0]
        expect(w, uid.isdigit() and int(uid) == 65532,
               f"USER {users[-1]!r} is not the numeric non-root 65532")
    exposed = {p for l in final_lines if l.upper().startswith("EXPOSE ") for p in l.split()[1:]}
    expect(w, {"4180", "9191"} <= exposed, f"EXPOSE {sorted(exposed)}, want 4180 and 9191")
    entry = [l for l in final_lines if l.upper().startswith("ENTRYPOINT ")]
    if expect(w, entry, "no ENTRYPOINT"):
        try:
            argv = json.loads(entry[-1].split(None, 1)[1])
        except ValueError:
            argv = None
        expect(w, isinstance(argv, list) and argv and argv[0].endswith("/authgate"),
               f"ENTRYPOINT {entry[-1]!r} is not the exec form running authgate")
    expect(w, not any(l.upper().startswith("ADD ") for l in final_lines),
           "ADD in the runtime stage (COPY --from only)")

    # .dockerignore admits what the build copies and keeps the rest out.
    wi = ".dockerignore"
    ignore_path = os.path.join(repo, ".dockerignore")
    if expect(wi, os.path.isfile(ignore_path), "missing"):
        rules = [l.strip() for l in open(ignore_path, encoding="utf-8")
                 if l.strip() and not l.startswith("#")]
        expect(wi, rules[:1] == ["*"], "does not start by excluding everything")
        for needed in ("!CMakeLists.txt", "!CMakePresets.json", "!cmake/", "!src/",
                       "!deploy/docker/"):
            expect(wi, needed in rules, f"does not admit {needed[1:]}")
        proto = os.path.isdir(os.path.join(repo, "proto"))
        expect(wi, not proto or "!proto/" in rules, "does not admit proto/")

    # The helper the build stage runs, on this build's binary.
    helper = os.path.join(repo, "deploy", "docker", "runtime-packages.sh")
    if expect(w, os.path.isfile(helper), "deploy/docker/runtime-packages.sh missing") and \
            run_helper and subprocess.run(["sh", "-c", "command -v dpkg"], capture_output=True).returncode == 0:
        run = subprocess.run(["sh", helper, authgate], capture_output=True, text=True, check=False)
        if expect(w, run.returncode == 0, f"runtime-packages.sh failed: {run.stderr.strip()}"):
            packages = run.stdout.split()
            expect(w, "libssl3" in packages, f"runtime-packages.sh misses libssl3: {packages}")
            for package in packages:
                status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                        capture_output=True, text=True, check=False).stdout
                expect(w, status.endswith("installed"),
                       f"runtime-packages.sh printed {package!r}, not an installed package")
        run = subprocess.run(["sh", helper, os.path.join(repo, "deploy", "Dockerfile")],
                             capture_output=True, text=True, check=False)
        expect(w, run.returncode != 0, "runtime-packages.sh accepts a file that links nothing")


# --- main ------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authgate", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--no-helper", action="store_true",
                        help="skip running deploy/docker/runtime-packages.sh (slow: dpkg)")
    args = parser.parse_args()
    deploy = os.path.join(args.repo, "deploy")

    with tempfile.TemporaryDirectory() as workdir:
        renderings = {}
        for name in ("base", "overlays/istio", "overlays/nginx-ingress"):
            try:
                renderings[name] = Rendering(name, render(os.path.join(deploy, name)))
            except RuntimeError as error:
                fail(name, str(error))
        facts, configs = {}, {}
        for name, r in renderings.items():
            facts[name] = check_authgate_objects(r)
            configs[name] = check_config(args.authgate, name, facts[name], workdir)
            if facts[name] and configs[name]:
                check_redis(r, facts[name], configs[name])
        # The base keeps cookie sessions; one overlay exercises deploy/components/redis.
        for name, store in (("base", "cookie"), ("overlays/nginx-ingress", "redis")):
            if configs.get(name):
                expect(name, configs[name].get("session_store") == store,
                       f"session_store {configs[name].get('session_store')!r}, want {store!r}")

        if "overlays/istio" in renderings and facts.get("overlays/istio"):
            operator_path = os.path.join(deploy, "overlays", "istio", "istio-operator.yaml")
            try:
                operators = yaml_to_objects(open(operator_path, encoding="utf-8").read(),
                                            operator_path)
            except (OSError, RuntimeError) as error:
                fail("istio-operator.yaml", str(error))
                operators = []
            if expect("istio-operator.yaml", len(operators) == 1 and
                      operators[0].get("kind") == "IstioOperator", "not one IstioOperator"):
                check_istio(renderings["overlays/istio"], facts["overlays/istio"],
                            configs["overlays/istio"], operators[0])
        if "overlays/nginx-ingress" in renderings and facts.get("overlays/nginx-ingress"):
            check_nginx(renderings["overlays/nginx-ingress"], facts["overlays/nginx-ingress"],
                        configs["overlays/nginx-ingress"])
        check_dockerfile(args.repo, args.authgate, not args.no_helper)

    for line in failures:
        print(f"FAIL: {line}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("deploy_check.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
