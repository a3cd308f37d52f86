"""linux.dig: DNS lookups, answered the way ``dig +short`` prints them.

StackStorm's action shells out to the ``dig`` program (bind-utils/dnsutils), which many hosts
lack. This one speaks DNS itself with the standard library only: one query over UDP (over TCP
when the answer is truncated or ``tcp`` is asked for) to ``nameserver`` or, by default, the
first nameserver in /etc/resolv.conf. The result is a list of answer lines, as StackStorm's.
"""

import random
import socket
import struct

from st2common.runners.base_action import Action

RESOLV_CONF = "/etc/resolv.conf"
TIMEOUT_SECONDS = 5.0
TYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
    "SRV": 33, "CAA": 257, "ANY": 255,
}
TYPE_NAMES = {number: name for name, number in TYPES.items()}
KNOWN_OPTIONS = {"short", "tcp", "notcp", "noshort"}


class DnsError(Exception):
    pass


def default_nameserver(path=RESOLV_CONF):
    try:
        with open(path, encoding="utf-8") as conf:
            for line in conf:
                fields = line.split()
                if len(fields) >= 2 and fields[0] == "nameserver":
                    return fields[1]
    except OSError:
        pass
    return "127.0.0.1"


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if not label:
            continue
        raw = label.encode("idna")
        if len(raw) > 63:
            raise DnsError("label %r is longer than 63 bytes" % label)
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def build_query(query_id, name, qtype):
    # Header: id, flags (recursion desired), one question.
    header = struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0)
    return header + encode_name(name) + struct.pack(">HH", qtype, 1)


def read_name(message, offset):
    labels = []
    jumped = False
    end = offset
    for _ in range(128):  # a loop of compression pointers cannot run forever
        if offset >= len(message):
            raise DnsError("truncated name in the answer")
        length = message[offset]
        if length & 0xC0 == 0xC0:
            pointer = struct.unpack(">H", message[offset:offset + 2])[0] & 0x3FFF
            if not jumped:
                end = offset + 2
            jumped = True
            offset = pointer
            continue
        if length == 0:
            if not jumped:
                end = offset + 1
            return ".".join(labels) + ".", end
        labels.append(message[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    raise DnsError("name compression loop in the answer")


def format_rdata(message, rtype, start, length):
    data = message[start:start + length]
    if rtype == 1 and length == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    if rtype == 28 and length == 16:
        return socket.inet_ntop(socket.AF_INET6, data)
    if rtype in (2, 5, 12):
        return read_name(message, start)[0]
    if rtype == 15:
        preference = struct.unpack(">H", data[:2])[0]
        return "%d %s" % (preference, read_name(message, start + 2)[0])
    if rtype == 16:
        parts, i = [], 0
        while i < len(data):
            size = data[i]
            parts.append('"%s"' % data[i + 1:i + 1 + size].decode("utf-8", "replace"))
            i += 1 + size
        return " ".join(parts)
    if rtype == 33:
        priority, weight, port = struct.unpack(">HHH", data[:6])
        return "%d %d %d %s" % (priority, weight, port, read_name(message, start + 6)[0])
    if rtype == 6:
        mname, offset = read_name(message, start)
        rname, offset = read_name(message, offset)
        numbers = struct.unpack(">IIIII", message[offset:offset + 20])
        return "%s %s %s" % (mname, rname, " ".join(str(n) for n in numbers))
    return "\\# %d %s" % (length, data.hex())


def parse_response(message, query_id):
    if len(message) < 12:
        raise DnsError("the answer is shorter than a DNS header")
    rid, flags, qdcount, ancount, _, _ = struct.unpack(">HHHHHH", message[:12])
    if rid != query_id:
        raise DnsError("the answer does not match the query")
    truncated = bool(flags & 0x0200)
    rcode = flags & 0x000F
    offset = 12
    for _ in range(qdcount):
        offset = read_name(message, offset)[1] + 4
    answers = []
    for _ in range(ancount):
        name, offset = read_name(message, offset)
        rtype, _, ttl, length = struct.unpack(">HHIH", message[offset:offset + 10])
        offset += 10
        answers.append((name, rtype, ttl, format_rdata(message, rtype, offset, length)))
        offset += length
    return rcode, truncated, answers


def ask(nameserver, port, packet, use_tcp):
    family = socket.AF_INET6 if ":" in nameserver else socket.AF_INET
    if not use_tcp:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(TIMEOUT_SECONDS)
            sock.sendto(packet, (nameserver, port))
            return sock.recvfrom(65535)[0]
    with socket.create_connection((nameserver, port), timeout=TIMEOUT_SECONDS) as sock:
        sock.sendall(struct.pack(">H", len(packet)) + packet)
        size = struct.unpack(">H", recv_exactly(sock, 2))[0]
        return recv_exactly(sock, size)


def recv_exactly(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise DnsError("the nameserver closed the connection early")
        data += chunk
    return data


def lookup(hostname, querytype, nameserver, port, use_tcp):
    qtype = TYPES.get(querytype.upper())
    if qtype is None:
        raise DnsError("unsupported query type %r (one of %s)" % (querytype, ", ".join(TYPES)))
    query_id = random.randint(0, 0xFFFF)
    packet = build_query(query_id, hostname, qtype)
    rcode, truncated, answers = parse_response(ask(nameserver, port, packet, use_tcp), query_id)
    if truncated and not use_tcp:
        rcode, truncated, answers = parse_response(ask(nameserver, port, packet, True), query_id)
    return rcode, answers


class DigAction(Action):
    def run(self, hostname, querytype="A", queryopts="short", nameserver=None, count=0,
            rand=False, port=53):
        options = [o.strip().lstrip("+") for o in str(queryopts or "").split(",") if o.strip()]
        unknown = [o for o in options if o not in KNOWN_OPTIONS]
        if unknown:
            return (False, "unsupported queryopts: %s (supported: %s)"
                    % (", ".join(unknown), ", ".join(sorted(KNOWN_OPTIONS))))
        short = "short" in options and "noshort" not in options
        use_tcp = "tcp" in options and "notcp" not in options
        server = nameserver or default_nameserver()
        try:
            rcode, answers = lookup(hostname, querytype, server, int(port), use_tcp)
        except (OSError, DnsError) as error:
            return (False, "DNS query to %s failed: %s" % (server, error))
        self.logger.debug("%s %s @%s: rcode %d, %d answers", hostname, querytype, server,
                          rcode, len(answers))
        if short:
            lines = [data for _, _, _, data in answers]
        else:
            lines = ["%s\t%d\tIN\t%s\t%s" % (name, ttl, TYPE_NAMES.get(rtype, rtype), data)
                     for name, rtype, ttl, data in answers]
        if querytype.lower() == "txt":
            # As StackStorm: TXT answers without their quotes.
            lines = [line.replace('"', "") for line in lines]
        if count <= 0 or count > len(lines):
            count = len(lines)
        output = lines[:count]
        if rand is True:
            random.shuffle(output)
        return output
