#!/usr/bin/env python3
"""Writes check_request_v3.bin: an envoy.service.auth.v3.CheckRequest as Envoy's ext_authz gRPC
client sends it for a browser request through an Istio ingress gateway, encoded here by hand in
the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) with the field
numbers of Envoy's attribute_context.proto, independently of protoc and of proto/.

    python3 tests/data/envoy/make_check_request.py   # rewrites the file next to this script

The expected decoding is check_request_v3.json (what grpc_ext_authz_test.cc checks field by
field). Fields authgate does not use are included too (id, size, protocol, principal, time,
destination, context_extensions): a decoder must skip or ignore them.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(number, wire_type):
    return varint((number << 3) | wire_type)


def length_delimited(number, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return key(number, 2) + varint(len(payload)) + payload


def uint(number, value):
    return key(number, 0) + varint(value)


def map_entry(number, k, v):
    # A map<string,string> entry is a message {string key = 1; string value = 2}.
    return length_delimited(number, length_delimited(1, k) + length_delimited(2, v))


def socket_peer(address, port, principal=""):
    socket_address = length_delimited(2, address) + uint(3, port)  # SocketAddress
    peer = length_delimited(1, length_delimited(1, socket_address))  # Peer.address.socket_address
    if principal:
        peer += length_delimited(4, principal)
    return peer


SESSION = "_authgate=c2Vzc2lvbi12YWx1ZQ; theme=dark"
HEADERS = [  # Envoy's order does not matter: a map
    (":authority", "app.example.com"),
    (":method", "POST"),
    (":path", "/reports/2024?x=1&y=%2F"),
    (":scheme", "https"),
    ("accept", "text/html"),
    ("cookie", SESSION),
    ("user-agent", "Mozilla/5.0"),
    ("x-forwarded-for", "203.0.113.9"),
    ("x-forwarded-proto", "https"),
    ("x-request-id", "8f0c6a3e-7e0e-4c5a-9a55-1f1f6c1f2a10"),
    ("x-forwarded-user", "mallory"),
]


def check_request():
    http = b"".join([
        length_delimited(1, "15872960131358542912"),  # id (Envoy's stream id)
        length_delimited(2, "POST"),                  # method
        b"".join(map_entry(3, k, v) for k, v in HEADERS),
        length_delimited(4, "/reports/2024?x=1&y=%2F"),  # path, query included
        length_delimited(5, "app.example.com"),          # host
        length_delimited(6, "https"),                    # scheme
        uint(9, 0),                                      # size (0 is a no-op on the wire)
        length_delimited(10, "HTTP/2"),                  # protocol
    ])
    time = uint(1, 1760000000) + uint(2, 123000000)  # Timestamp{seconds, nanos}
    request = length_delimited(1, time) + length_delimited(2, http)
    attributes = b"".join([
        length_delimited(1, socket_peer("203.0.113.9", 51234)),  # source
        length_delimited(2, socket_peer("10.0.0.5", 8443,
                                        "spiffe://cluster.local/ns/istio-system/sa/gw")),
        length_delimited(4, request),
        map_entry(10, "virtual_host", "app"),                    # context_extensions
    ])
    return length_delimited(1, attributes)


EXPECTED = {
    "method": "POST",
    "scheme": "https",
    "host": "app.example.com",
    "path": "/reports/2024",
    "query": "x=1&y=%2F",
    "peer": "203.0.113.9",
    "headers": {k: v for k, v in HEADERS if not k.startswith(":")},
}

if __name__ == "__main__":
    with open(os.path.join(HERE, "check_request_v3.bin"), "wb") as out:
        out.write(check_request())
    with open(os.path.join(HERE, "check_request_v3.json"), "w") as out:
        json.dump(EXPECTED, out, indent=2, sort_keys=True)
        out.write("\n")
