#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The static executable's tests (tests/release.sh RELEASE static runs it).

    static_check.py ROOT EMPTY

ROOT: a Debian root file system with only its nfdump and ca-certificates
installed (none of nfkafka's libraries), the static nfkafka in
/usr/local/bin; EMPTY: a root holding nothing but /nfkafka, a static fake
/nfdump, /dev and /tmp. Both see the host's /tmp, where the window is; the
broker (PLAINTEXT and TLS listeners on 127.0.0.1) and the consumer run on
the host. Every export is compared record by record with nfdump's output:

  plaintext     ROOT, PLAINTEXT
  sasl-plain    ROOT, SASL PLAIN
  tls-ca-given  ROOT, TLS with -X ssl.ca.location=the test CA
  tls-ca-store  ROOT, TLS with the test CA only in ROOT's certificate store
                (update-ca-certificates), found by nfkafka itself
  empty-root    EMPTY: --version, and one export over TLS with the CA only
                where EL systems keep their store (/etc/pki/tls/certs)
"""
import os
import shutil
import subprocess
import sys
import tempfile

from collector import make_window
from consume import consume
from kafka_broker import KafkaBroker, free_port
from release_check import FMT_QUERY as QUERY, SYSTEM_PATH, check_window, wrappers


SASL_USER, SASL_PASSWORD = 'nfkafka', 'static-test-password'


def make_ca(work):
    """A test CA and a server certificate for 127.0.0.1 signed by it."""
    def ssl(*args):
        subprocess.run(['openssl'] + list(args), check=True, cwd=work,
                       capture_output=True)
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
        '-subj', '/CN=nfkafka test CA', '-keyout', 'ca.key', '-out', 'ca.pem')
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
        '-keyout', 'server.key', '-out', 'server.csr')
    with open(os.path.join(work, 'san.ext'), 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1\n')
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem')
    # Kafka's PEM key store: the PKCS#8 key and the chain in one file.
    with open(os.path.join(work, 'keystore.pem'), 'w') as out:
        for name in ('server.key', 'server.pem'):
            with open(os.path.join(work, name)) as f:
                out.write(f.read())
    return os.path.join(work, 'ca.pem')


def tls_broker(work):
    """A broker with a PLAINTEXT listener (for the consumer) and a TLS one."""
    port, ssl_port, ctl = free_port(), free_port(), free_port()
    while len({port, ssl_port, ctl}) < 3:
        ssl_port, ctl = free_port(), free_port()
    props = {
        'listeners': 'PLAINTEXT://127.0.0.1:%d,SSL://127.0.0.1:%d,'
                     'CONTROLLER://127.0.0.1:%d' % (port, ssl_port, ctl),
        'advertised.listeners': 'PLAINTEXT://127.0.0.1:%d,SSL://127.0.0.1:%d'
                                % (port, ssl_port),
        'listener.security.protocol.map':
            'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
        'listener.name.ssl.ssl.keystore.type': 'PEM',
        'listener.name.ssl.ssl.keystore.location': os.path.join(work, 'keystore.pem'),
    }
    broker = KafkaBroker(os.path.join(work, 'kafka'), port=port,
                         controller_port=ctl, extra_props=props,
                         sasl_users={SASL_USER: SASL_PASSWORD})
    # The SASL listener the harness adds, kept beside ours.
    sasl = 'SASL_PLAINTEXT://127.0.0.1:%d' % broker.sasl_port
    broker.extra_props['listeners'] += ',' + sasl
    broker.extra_props['advertised.listeners'] += ',' + sasl
    broker.extra_props['listener.security.protocol.map'] += \
        ',SASL_PLAINTEXT:SASL_PLAINTEXT'
    return broker, '127.0.0.1:%d' % ssl_port


def export(root, binary, bootstrap, topic, base, rel, *extra):
    """nfkafka --once on the window, inside root; (exit status, stderr)."""
    argv = ['chroot', root, binary, '--once', rel, '-M', '%s/chanA:chanB' % base,
            '-b', bootstrap, '-t', topic, '-Q', QUERY] + list(extra)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, PATH=SYSTEM_PATH))
    return p.returncode, p.stderr


def verdict(name, rc, stderr, broker, topic, base, rel, failed):
    msgs = consume(broker.bootstrap, topic, timeout=60)
    rows, lost, dups, wrong = check_window(
        rel, '%s/chanA:chanB' % base, [m['value'] for m in msgs], QUERY)
    ok = rc == 0 and rows > 0 and not (lost or dups or wrong)
    print('static: %s: exit %d, nfdump %d rows, Kafka %d records, lost %d, '
          'duplicates %d, wrong %d: %s' % (name, rc, rows, len(msgs), lost, dups,
                                           wrong, 'ok' if ok else 'FAILED'),
          flush=True)
    if not ok:
        sys.stdout.write(''.join('  nfkafka: ' + ln + '\n' for ln in stderr.splitlines()))
        failed.append(name)


def main():
    root, empty = (os.path.realpath(p) for p in sys.argv[1:3])
    binary = '/usr/local/bin/nfkafka'
    work = tempfile.mkdtemp(prefix='nfkafka-static.', dir='/tmp')
    wrappers(root, work)
    ca = make_ca(work)
    base = os.path.join(work, 'p')
    rel = make_window(base, ('chanA', 'chanB'), 300)
    broker, tls = tls_broker(work)
    broker.start()
    failed = []
    try:
        # The real nfdump's output as nfkafka asked for it, for the fake.
        record = os.path.join(work, 'record-nfdump')
        out = os.path.join(work, 'nfdump.out')
        with open(record, 'w') as f:
            f.write('#!/bin/sh\nout=%s\ncase " $* " in *" -V "*) out=%s.version ;; '
                    '*" -r "*) ;; *) exec nfdump "$@" ;; esac\n'
                    'nfdump "$@" >$out\nrc=$?\ncat $out\nexit $rc\n' % (out, out))
        os.chmod(record, 0o755)
        rc, err = export(root, binary, broker.bootstrap, 'plaintext', base, rel,
                         '--nfdump', record)
        verdict('plaintext', rc, err, broker, 'plaintext', base, rel, failed)

        rc, err = export(root, binary, broker.sasl_bootstrap, 'sasl-plain', base, rel,
                         '-X', 'security.protocol=sasl_plaintext',
                         '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=' + SASL_USER,
                         '-X', 'sasl.password=' + SASL_PASSWORD)
        verdict('sasl-plain', rc, err, broker, 'sasl-plain', base, rel, failed)

        rc, err = export(root, binary, tls, 'tls-ca-given', base, rel,
                         '-X', 'security.protocol=ssl', '-X', 'ssl.ca.location=' + ca)
        verdict('tls-ca-given', rc, err, broker, 'tls-ca-given', base, rel, failed)

        # Without the CA in the store, TLS must fail: the store is what counts.
        rc, err = export(root, binary, tls, 'tls-no-ca', base, rel,
                         '-X', 'security.protocol=ssl', '-X', 'message.timeout.ms=5000')
        print('static: tls-no-ca: exit %d (%s)' % (rc, 'refused: ok' if rc != 0 else
                                                  'FAILED: accepted an unknown CA'))
        if rc == 0:
            failed.append('tls-no-ca')
        shutil.copy(ca, os.path.join(root, 'usr/local/share/ca-certificates/nfkafka-test.crt'))
        subprocess.run(['chroot', root, 'update-ca-certificates'], check=True,
                       capture_output=True, env=dict(os.environ, PATH=SYSTEM_PATH))
        rc, err = export(root, binary, tls, 'tls-ca-store', base, rel,
                         '-X', 'security.protocol=ssl')
        verdict('tls-ca-store', rc, err, broker, 'tls-ca-store', base, rel, failed)

        # The empty root: the file, the fake nfdump, /dev, /tmp, and the CA
        # where EL keeps its bundle.
        shutil.copy(out, os.path.join(empty, 'nfdump.out'))
        shutil.copy(out + '.version', os.path.join(empty, 'nfdump.version'))
        os.makedirs(os.path.join(empty, 'etc/pki/tls/certs'), exist_ok=True)
        shutil.copy(ca, os.path.join(empty, 'etc/pki/tls/certs/ca-bundle.crt'))
        p = subprocess.run(['chroot', empty, '/nfkafka', '--version'],
                           capture_output=True, text=True)
        print('static: empty-root --version: %s' % (p.stdout.strip() or p.stderr.strip()))
        if p.returncode != 0 or 'nfkafka' not in p.stdout:
            failed.append('empty-root --version')
        rc, err = export(empty, '/nfkafka', tls, 'empty-root', base, rel,
                         '--nfdump', '/nfdump', '-X', 'security.protocol=ssl')
        verdict('empty-root', rc, err, broker, 'empty-root', base, rel, failed)
    finally:
        broker.stop()
    print('static: %s' % ('FAILED: ' + ', '.join(failed) if failed else 'all passed'))
    if not failed:
        shutil.rmtree(work, ignore_errors=True)   # kept for a look on failure
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
