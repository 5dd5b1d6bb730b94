#!/usr/bin/env python3
"""A minimal WSS client for trying the simulator by hand (standard library only).

    tools/sim_ws.py --port 44379 --cacert var/sim/cert.pem --token TOKEN \
        --send '{"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":["900010"],"type":["0B"]}]}' \
        --seconds 3

Sends LOGIN, then each --send frame, prints every frame received for --seconds,
and echoes the server's PINGs as a Kiwoom client must.
"""
import argparse, base64, json, os, socket, ssl, struct, time


def send_frame(sock, text):
    data = text.encode()
    header = bytearray([0x81])
    mask = os.urandom(4)
    if len(data) < 126:
        header.append(0x80 | len(data))
    elif len(data) < 65536:
        header.append(0x80 | 126)
        header += struct.pack(">H", len(data))
    else:
        header.append(0x80 | 127)
        header += struct.pack(">Q", len(data))
    sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return out


def recv_frame(sock):
    b0, b1 = recv_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", recv_exact(sock, 8))[0]
    payload = recv_exact(sock, n)
    return b0 & 0x0F, payload.decode(errors="replace")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cacert", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--send", action="append", default=[])
    p.add_argument("--seconds", type=float, default=3)
    a = p.parse_args()
    ctx = ssl.create_default_context(cafile=a.cacert)
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port)), server_hostname="127.0.0.1")
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/dostk/websocket HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    print("<", response.split(b"\r\n")[0].decode())
    for frame in [json.dumps({"trnm": "LOGIN", "token": a.token})] + a.send:
        shown = frame if '"LOGIN"' not in frame else '{"trnm":"LOGIN","token":"..."}'
        print(">", shown)
        send_frame(sock, frame)
    sock.settimeout(0.5)
    end = time.time() + a.seconds
    while time.time() < end:
        try:
            opcode, text = recv_frame(sock)
        except socket.timeout:
            continue
        except ConnectionError:
            print("< (closed)")
            return
        if opcode == 8:
            print("< (close frame)")
            return
        print("<", text)
        if '"trnm":"PING"' in text:
            send_frame(sock, text)


if __name__ == "__main__":
    main()
