# SPDX-License-Identifier: BSD-2-Clause
"""Messages as ClickHouse's own parsers (chdb) read them into a table's
typed columns, each value back as the Python type compare.value_matches
wants: a consumer that is not ours, with its own idea of every type."""
import datetime
import ipaddress
import json
import re


def clickhouse_value(v, typ):
    """A value ClickHouse printed (JSONCompactEachRow) for a column of
    type typ, as Python: milliseconds back to a time, an IPv4-mapped IPv6
    address back to the IPv4 one."""
    if v is None:
        return v
    if 'DateTime64' in typ:
        return datetime.datetime.fromtimestamp(int(v) / 1000,
                                               datetime.timezone.utc)
    if 'IPv' in typ:
        a = ipaddress.ip_address(v)
        return a.ipv4_mapped or a if a.version == 6 else a
    if 'Int' in typ:
        return int(v)
    if 'Float' in typ:
        return float(v)
    return v


def clickhouse_rows(path, fmt, columns, settings):
    """The file at path, in ClickHouse's input format fmt, read into
    columns ([name, type] pairs) with settings (a SETTINGS clause's text):
    a dict per row. Times are selected as milliseconds and addresses as
    text, so that nothing is lost on the way out of ClickHouse."""
    import chdb
    select = []
    for name, typ in columns:
        if 'DateTime64' in typ:
            select.append('toUnixTimestamp64Milli(%s)' % name)
        elif 'IPv' in typ:
            select.append('toString(%s)' % name)
        else:
            select.append(name)
    res = chdb.query(
        "SELECT %s FROM file('%s', %s, '%s') SETTINGS %s" % (
            ', '.join(select), path, fmt,
            ', '.join('%s %s' % (n, t) for n, t in columns).replace("'", "\\'"),
            settings), 'JSONCompactEachRow')
    return [{name: clickhouse_value(v, typ)
             for v, (name, typ) in zip(json.loads(line), columns)}
            for line in str(res).splitlines() if line]


def clickhouse_json(values, columns, tmp_path):
    """JSON messages as ClickHouse's JSONEachRow parser reads them, with the
    server's default date_time_input_format (basic: chdb's own default is
    best_effort, which accepts more) and no unknown field allowed."""
    path = tmp_path / 'messages.json'
    path.write_bytes(b''.join(v + b'\n' for v in values))
    return clickhouse_rows(path, 'JSONEachRow', columns,
                           "date_time_input_format = 'basic', "
                           "input_format_skip_unknown_fields = 0")


def pop_identity(records, count, window):
    """Checks and takes out the --identity columns of records ClickHouse
    read from the window file window's count rows: each row once, revision
    0, and the window's start, which nfcapd names in local time (the test
    machine's is UTC)."""
    stamp = re.search(r'(\d{12})\d*$', window).group(1)
    start = datetime.datetime.strptime(stamp, '%Y%m%d%H%M').replace(
        tzinfo=datetime.timezone.utc)
    assert sorted(r['window_row'] for r in records) == list(range(count))
    for r in records:
        assert r.pop('window_revision') == 0
        r.pop('window_row')
        assert r.pop('window_start').replace(second=0) == start
