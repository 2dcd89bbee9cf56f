"""Records raw two-file captures of this package's servers (see README.md).

Usage: python3 capture.py smtp|imap|pop3, with the server listening on the port below;
writes /tmp/tcap/NAME.c2s and NAME.s2c.
"""
import socket, re, sys, base64, time
class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port)); self.f = self.s.makefile('rb')
        self.c2s = b''; self.s2c = b''
    def line(self):
        l = self.f.readline(); self.s2c += l
        m = re.search(rb'\{(\d+)\}\r\n$', l)
        if m:
            d = self.f.read(int(m.group(1))); self.s2c += d
            return l + d + self.line()
        return l
    def send(self, b):
        self.c2s += b; self.s.sendall(b)
    def until(self, pred):
        while True:
            l = self.line()
            if pred(l): return l
    def save(self, name):
        open('/tmp/tcap/%s.c2s' % name, 'wb').write(self.c2s); open('/tmp/tcap/%s.s2c' % name, 'wb').write(self.s2c)

which = sys.argv[1]
if which == 'imap':
    c = Conn(42143); c.line()
    c.send(b'a1 AUTHENTICATE LOGIN\r\n'); c.until(lambda l: l.startswith(b'+'))
    c.send(base64.b64encode(b'bob') + b'\r\n'); c.until(lambda l: l.startswith(b'+'))
    c.send(base64.b64encode(b'secret') + b'\r\n'); c.until(lambda l: l.startswith(b'a1 '))
    c.send(b'a2 SELECT INBOX\r\n'); c.until(lambda l: l.startswith(b'a2 '))
    msg = b'From: Alice <alice@localhost>\r\nSubject: appended\r\n\r\n.dot line\r\nHello.\r\n'
    c.send(b'a3 APPEND INBOX (\\Seen) {%d}\r\n' % len(msg)); c.until(lambda l: l.startswith(b'+'))
    c.send(msg + b'\r\n'); c.until(lambda l: l.startswith(b'a3 '))
    c.send(b'a4 IDLE\r\n'); c.until(lambda l: l.startswith(b'+'))
    time.sleep(0.3)
    c.send(b'DONE\r\n'); c.until(lambda l: l.startswith(b'a4 '))
    c.send(b'a5 FETCH 1 (FLAGS BODY.PEEK[])\r\n'); c.until(lambda l: l.startswith(b'a5 '))
    c.send(b'a6 UID STORE 1 +FLAGS (\\Flagged)\r\n'); c.until(lambda l: l.startswith(b'a6 '))
    c.send(b'a7 LOGOUT\r\n'); c.until(lambda l: l.startswith(b'a7 '))
    c.save('imap-capture')
elif which == 'pop3':
    c = Conn(42110); c.line()
    def cmd(b, multi=False):
        c.send(b + b'\r\n')
        first = c.line()
        if multi and first.startswith(b'+OK'):
            c.until(lambda l: l == b'.\r\n')
    cmd(b'CAPA', True); cmd(b'USER bob'); cmd(b'PASS secret'); cmd(b'STAT'); cmd(b'UIDL', True)
    cmd(b'LIST 1'); cmd(b'TOP 1 0', True); cmd(b'RETR 1', True); cmd(b'QUIT')
    c.save('pop3-capture')
else:
    c = Conn(42025); c.line()
    def reply():
        return c.until(lambda l: l[3:4] == b' ')
    c.send(b'EHLO client.localhost\r\n'); reply()
    c.send(b'AUTH LOGIN\r\n'); reply()
    c.send(base64.b64encode(b'bob') + b'\r\n'); reply()
    c.send(base64.b64encode(b'secret') + b'\r\n'); reply()
    c.send(b'MAIL FROM:<bob@localhost> SIZE=60\r\nRCPT TO:<bob@localhost>\r\nDATA\r\n'); reply(); reply(); reply()
    c.send(b'Subject: via DATA\r\n\r\n..a stuffed dot\r\nHello.\r\n.\r\n'); reply()
    body = b'Subject: via BDAT\r\n\r\nHello.\r\n'
    c.send(b'MAIL FROM:<bob@localhost>\r\nRCPT TO:<bob@localhost>\r\nBDAT %d LAST\r\n' % len(body) + body); reply(); reply(); reply()
    c.send(b'QUIT\r\n'); reply()
    c.save('smtp-capture')
