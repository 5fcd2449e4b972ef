"""The reverse proxies of docs/deployment.md (section 7) on this machine, in front of
the web service that tests/deployment_machine.py starts: deploy/nginx.conf and
deploy/Caddyfile as the guide installs them, with the server's places swapped for this
machine's. The site's name becomes 127.0.0.1, the organisation's certificate a
self-signed one, ports 443 and 80 free ones on 127.0.0.1 (there is no IPv6 here), and
the monitoring network 127.0.0.2. Clients connect from other loopback addresses, so
that the address weerbaar records tells the client's from the proxy's (127.0.0.1).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deployment_machine import DEPLOY, Machine

NAME = "weerbaar.example.org"
MONITORING_NETWORK = "192.0.2.0/24"
# The monitoring host, and a browser, as the proxies see them.
MONITORING = "127.0.0.2"
BROWSER = "127.0.0.3"
# How long a proxy may take to listen; one that takes longer has failed to start.
LISTEN_SECONDS = 30.0


@dataclass
class Proxy:
    name: str
    process: subprocess.Popen[bytes]
    port: int  # for HTTPS
    output: Path

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=LISTEN_SECONDS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the site's name and 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName(NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    made = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "certificate.pem", folder / "key.pem"
    cert_file.write_bytes(made.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


def _swapped(text: str, swaps: list[tuple[str, str]], source: str) -> str:
    for theirs, ours in swaps:
        assert theirs in text, f"{source} no longer has {theirs!r}"
        text = text.replace(theirs, ours)
    return text


def _listening(proxy: Proxy) -> Proxy:
    deadline = time.monotonic() + LISTEN_SECONDS
    while True:
        try:
            socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
        except OSError:
            assert proxy.process.poll() is None, (
                f"{proxy.name} stopped:\n{proxy.output.read_text()}"
            )
            assert time.monotonic() < deadline, f"{proxy.name} does not listen"
            time.sleep(0.1)
        else:
            return proxy


def start_nginx(machine: Machine, cert: Path, key: Path) -> tuple[Proxy, int]:
    """deploy/nginx.conf in an nginx of its own: the proxy, and its HTTP port."""
    folder = machine.root / "nginx"
    folder.mkdir()
    port, http_port = free_port(), free_port()
    site = _swapped(
        machine.here((DEPLOY / "nginx.conf").read_text("utf-8")),
        [
            (f"/etc/ssl/certs/{NAME}.pem", str(cert)),
            (f"/etc/ssl/private/{NAME}.key", str(key)),
            ("/var/log/nginx/weerbaar.access.log", str(folder / "access.log")),
            ("listen 443 ssl", f"listen 127.0.0.1:{port} ssl"),
            ("listen 80;", f"listen 127.0.0.1:{http_port};"),
            (MONITORING_NETWORK, f"{MONITORING}/32"),
        ],
        "deploy/nginx.conf",
    )
    site = re.sub(r"^ *listen \[::\].*\n", "", site, flags=re.M)
    (folder / "weerbaar.conf").write_text(site, "utf-8")
    # What Debian's /etc/nginx/nginx.conf gives the site, with every file nginx writes
    # in this folder.
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    client_body_temp_path {folder}/body;\n"
        f"    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n"
        f"    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n"
        f"    include {folder}/weerbaar.conf;\n"
        "}\n",
        "utf-8",
    )
    output = folder / "output"
    with output.open("wb") as written:
        process = subprocess.Popen(
            ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=written,
            stderr=subprocess.STDOUT,
        )
    return _listening(Proxy("nginx", process, port, output)), http_port


def start_caddy(machine: Machine, cert: Path, key: Path) -> Proxy:
    """deploy/Caddyfile in a Caddy of its own, its admin endpoint off."""
    folder = machine.root / "caddy"
    folder.mkdir()
    port = free_port()
    site = _swapped(
        machine.here((DEPLOY / "Caddyfile").read_text("utf-8")),
        [
            (f"{NAME} {{", "127.0.0.1 {"),
            ("\ttls {", f"\ttls {cert} {key} {{"),
            (MONITORING_NETWORK, f"{MONITORING}/32"),
        ],
        "deploy/Caddyfile",
    )
    # Ports 443 and 80 and the machine's addresses are not the test's to take.
    options = (
        "{\n"
        "\tadmin off\n"
        f"\thttps_port {port}\n"
        "\tauto_https disable_redirects\n"
        "\tdefault_bind 127.0.0.1\n"
        f"\tstorage file_system {folder}/data\n"
        "}\n\n"
    )
    (folder / "Caddyfile").write_text(options + site, "utf-8")
    output = folder / "output"
    with output.open("wb") as written:
        process = subprocess.Popen(
            ["caddy", "run", "--adapter", "caddyfile", "--config", str(folder / "Caddyfile")],
            stdout=written,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "XDG_DATA_HOME": str(folder)},
        )
    return _listening(Proxy("caddy", process, port, output))
