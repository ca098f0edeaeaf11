package normalize

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Real-looking IDs used across the tests.
const (
	cid   = "3f4e8c1a9b2d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"
	cid2  = "a1b2c3d4e5f60718293a4b5c6d7e8f9011223344556677889900aabbccddeeff"
	img   = "9bea9f2796e236cb18c2b3ad561ff29f655d1001f9ec7247a0bc5e08d25652a1"
	dgst  = "d211f485f2dd1dee407a80973c8f129f00d54604d2c90732e8e320e5038a0348"
	layer = "c1ec31eb59444d78ef0ce6bdbcf1bda6b0efd1ca0b5d1d3f0e2a5b7c9d1e3f50"
	netID = "7d5e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e"
)

func short(id string) string { return id[:12] }

func TestTranscripts(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{
			name: "docker run -d then docker ps",
			in: []string{
				"$ docker run -d -P --name web nginx:1.27",
				cid,
				"$ docker ps",
				"CONTAINER ID   IMAGE        COMMAND                  CREATED         STATUS         PORTS                                     NAMES",
				short(cid) + "   nginx:1.27   \"/docker-entrypoint.…\"   3 seconds ago   Up 2 seconds   0.0.0.0:32768->80/tcp, [::]:32768->80/tcp   web",
				short(cid2) + "   redis:7      \"docker-entrypoint.s…\"   About a minute ago   Exited (0) 5 seconds ago                                  eloquent_turing",
			},
			want: []string{
				"$ docker run -d -P --name web nginx:1.27",
				"<container-1>",
				"$ docker ps",
				"CONTAINER ID  IMAGE  COMMAND  CREATED  STATUS  PORTS  NAMES",
				"<container-1>  nginx:1.27  \"/docker-entrypoint.…\"  <time>  Up <time>  0.0.0.0:<port-1>->80/tcp, [::]:<port-1>->80/tcp  web",
				"<container-2>  redis:7  \"docker-entrypoint.s…\"  <time>  Exited (0) <time>  <name-1>",
			},
		},
		{
			name: "shell prompt inside a container",
			in: []string{
				cid,
				"root@" + short(cid) + ":/# hostname",
				short(cid),
				"root@" + short(cid) + ":/# hostname -i",
				"172.17.0.2",
			},
			want: []string{
				"<container-1>",
				"root@<container-1>:/# hostname",
				"<container-1>",
				"root@<container-1>:/# hostname -i",
				"<ip-1>",
			},
		},
		{
			name: "docker inspect container",
			in: []string{
				`[`,
				`    {`,
				`        "Id": "` + cid + `",`,
				`        "Created": "2026-11-26T17:28:22.123456789Z",`,
				`        "State": {`,
				`            "Status": "running",`,
				`            "Pid": 4242,`,
				`            "StartedAt": "2026-11-26T17:28:22.512345678Z",`,
				`            "FinishedAt": "0001-01-01T00:00:00Z"`,
				`        },`,
				`        "Image": "sha256:` + img + `",`,
				`        "HostnamePath": "/var/lib/docker/containers/` + cid + `/hostname",`,
				`        "Name": "/eloquent_turing",`,
				`        "Config": {`,
				`            "Hostname": "` + short(cid) + `",`,
				`            "Image": "nginx:1.27",`,
				`        "NetworkSettings": {`,
				`            "Ports": {`,
				`                "80/tcp": [`,
				`                    {`,
				`                        "HostIp": "0.0.0.0",`,
				`                        "HostPort": "32768"`,
				`                    }`,
				`            "SandboxKey": "/var/run/docker/netns/5c0ffee12345",`,
				`            "Gateway": "172.17.0.1",`,
				`            "IPAddress": "172.17.0.2",`,
				`            "IPPrefixLen": 16,`,
				`            "MacAddress": "02:42:ac:11:00:02",`,
			},
			want: []string{
				`[`,
				`    {`,
				`        "Id": "<container-1>",`,
				`        "Created": "<timestamp>",`,
				`        "State": {`,
				`            "Status": "running",`,
				`            "Pid": 4242,`,
				`            "StartedAt": "<timestamp>",`,
				`            "FinishedAt": "0001-01-01T00:00:00Z"`,
				`        },`,
				`        "Image": "<image-1>",`,
				`        "HostnamePath": "/var/lib/docker/containers/<container-1>/hostname",`,
				`        "Name": "/<name-1>",`,
				`        "Config": {`,
				`            "Hostname": "<container-1>",`,
				`            "Image": "nginx:1.27",`,
				`        "NetworkSettings": {`,
				`            "Ports": {`,
				`                "80/tcp": [`,
				`                    {`,
				`                        "HostIp": "0.0.0.0",`,
				`                        "HostPort": "<port-1>"`,
				`                    }`,
				`            "SandboxKey": "/var/run/docker/netns/<container-2>",`,
				`            "Gateway": "<ip-1>",`,
				`            "IPAddress": "<ip-2>",`,
				`            "IPPrefixLen": 16,`,
				`            "MacAddress": "<mac-1>",`,
			},
		},
		{
			name: "docker image ls and image inspect",
			in: []string{
				"REPOSITORY   TAG       IMAGE ID       CREATED        SIZE",
				"nginx        1.27      " + short(img) + "   2 weeks ago    192MB",
				"<none>       <none>    0123456789ab   Less than a second ago   7.8MB",
				`        "Id": "sha256:` + img + `",`,
				`        "RepoDigests": [`,
				`            "nginx@sha256:` + dgst + `"`,
				`        "Size": 191998640,`,
			},
			want: []string{
				"REPOSITORY  TAG  IMAGE ID  CREATED  SIZE",
				"nginx  1.27  <image-1>  <time>  <size>",
				"<none>  <none>  <image-2>  <time>  <size>",
				`        "Id": "<image-1>",`,
				`        "RepoDigests": [`,
				`            "nginx@<digest-1>"`,
				`        "Size": <size>,`,
			},
		},
		{
			name: "docker network create and inspect",
			in: []string{
				netID,
				`        "Name": "labnet",`,
				`        "Id": "` + netID + `",`,
				`        "Created": "2026-11-26T17:28:22.987654321+01:00",`,
				`                    "Subnet": "172.18.0.0/16",`,
				`                    "Gateway": "172.18.0.1"`,
				`            "` + cid + `": {`,
				`                "Name": "web",`,
				`                "EndpointID": "` + cid2 + `",`,
				`                "MacAddress": "02:42:ac:12:00:02",`,
				`                "IPv4Address": "172.18.0.2/16",`,
				`                "IPv6Address": "fd00:dead:beef::2/64"`,
			},
			want: []string{
				"<container-1>",
				`        "Name": "labnet",`,
				`        "Id": "<container-1>",`,
				`        "Created": "<timestamp>",`,
				`                    "Subnet": "<ip-1>/16",`,
				`                    "Gateway": "<ip-2>"`,
				`            "<container-2>": {`,
				`                "Name": "web",`,
				`                "EndpointID": "<container-3>",`,
				`                "MacAddress": "<mac-1>",`,
				`                "IPv4Address": "<ip-3>/16",`,
				`                "IPv6Address": "<ip-4>/64"`,
			},
		},
		{
			name: "docker logs with timestamps and access log",
			in: []string{
				"2026-11-26T17:28:22.123456789Z /docker-entrypoint.sh: Configuration complete; ready for start up",
				"2026/11/26 17:28:22 [notice] 1#1: nginx/1.27.3",
				"172.17.0.1 - - [26/Nov/2026:17:28:30 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.5.0\" \"-\"",
				"Nov 26 17:28:22 " + short(cid) + " sshd[27]: Server listening on :: port 22.",
			},
			want: []string{
				"<timestamp> /docker-entrypoint.sh: Configuration complete; ready for start up",
				"<timestamp> [notice] 1#1: nginx/1.27.3",
				"<ip-1> - - [<timestamp>] \"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.5.0\" \"-\"",
				"<timestamp> <container-1> sshd[27]: Server listening on :: port 22.",
			},
		},
		{
			name: "BuildKit plain progress",
			in: []string{
				"#0 building with \"default\" instance using docker driver",
				"#1 [internal] load build definition from Dockerfile",
				"#1 transferring dockerfile: 152B done",
				"#1 DONE 0.0s",
				"#4 [1/3] FROM localhost:5000/library/alpine:3.19@sha256:" + dgst,
				"#4 sha256:" + layer + " 3.41MB / 3.41MB 0.2s done",
				"#5 [2/3] RUN apk add --no-cache curl",
				"#5 0.512 fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz",
				"#5 1.734 OK: 13 MiB in 25 packages",
				"#5 DONE 1.9s",
				"#7 exporting config sha256:" + img + " done",
				"#7 writing image sha256:" + img + " done",
				"#7 naming to localhost:5000/library/app:latest 0.0s done",
				"[+] Building 12.3s (8/8) FINISHED",
			},
			want: []string{
				"#0 building with \"default\" instance using docker driver",
				"#1 [internal] load build definition from Dockerfile",
				"#1 transferring dockerfile: <size> done",
				"#1 DONE <duration>",
				"#4 [1/3] FROM localhost:5000/library/alpine:3.19@<digest-1>",
				"#4 <digest-2> <size> / <size> <duration> done",
				"#5 [2/3] RUN apk add --no-cache curl",
				"#5 <duration> fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz",
				"#5 <duration> OK: <size> in 25 packages",
				"#5 DONE <duration>",
				"#7 exporting config <image-1> done",
				"#7 writing image <image-1> done",
				"#7 naming to localhost:5000/library/app:latest <duration> done",
				"[+] Building <duration> (8/8) FINISHED",
			},
		},
		{
			name: "legacy builder",
			in: []string{
				"Step 1/2 : FROM alpine:3.19",
				" ---> " + short(img),
				"Step 2/2 : RUN echo hi",
				" ---> Running in " + short(cid),
				"Removing intermediate container " + short(cid),
				"Successfully built 0123456789ab",
			},
			want: []string{
				"Step 1/2 : FROM alpine:3.19",
				" ---> <image-1>",
				"Step 2/2 : RUN echo hi",
				" ---> Running in <container-1>",
				"Removing intermediate container <container-1>",
				"Successfully built <image-2>",
			},
		},
		{
			name: "docker pull",
			in: []string{
				"Unable to find image 'hello-world:latest' locally",
				"latest: Pulling from library/hello-world",
				short(layer) + ": Pull complete",
				"Digest: sha256:" + dgst,
				"Status: Downloaded newer image for hello-world:latest",
				"#3 sha256:" + layer + " 2.46kB / 2.46kB done",
			},
			want: []string{
				"Unable to find image 'hello-world:latest' locally",
				"latest: Pulling from library/hello-world",
				"<layer>: Pull complete",
				"Digest: <digest-1>",
				"Status: Downloaded newer image for hello-world:latest",
				"#3 <digest-2> <size> / <size> done",
			},
		},
		{
			name: "docker system df and prune",
			in: []string{
				"TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE",
				"Images          5         2         1.23GB    1.1GB (89%)",
				"Containers      2         0         1.09kB    1.09kB (100%)",
				"Local Volumes   1         1         0B        0B",
				"Build Cache     12        0         45.6MB    45.6MB",
				"Total reclaimed space: 0B",
			},
			want: []string{
				"TYPE  TOTAL  ACTIVE  SIZE  RECLAIMABLE",
				"Images  5  2  <size>  <size>",
				"Containers  2  0  <size>  <size>",
				"Local Volumes  1  1  <size>  <size>",
				"Build Cache  12  0  <size>  <size>",
				"Total reclaimed space: <size>",
			},
		},
		{
			name: "docker stats",
			in: []string{
				"CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O          BLOCK I/O   PIDS",
				short(cid) + "   web       0.05%     3.52MiB / 7.66GiB     0.04%     1.2kB / 0B       0B / 0B     5",
			},
			want: []string{
				"CONTAINER ID  NAME  CPU %  MEM USAGE / LIMIT  MEM %  NET I/O  BLOCK I/O  PIDS",
				"<container-1>  web  <percent>  <size> / <size>  <percent>  <size> / <size>  <size> / <size>  5",
			},
		},
		{
			name: "apt-get -qq",
			in: []string{
				"debconf: delaying package configuration, since apt-utils is not installed",
				"Selecting previously unselected package curl.",
				"(Reading database ... 4381 files and directories currently installed.)",
				"Preparing to unpack .../curl_7.88.1-10+deb12u8_amd64.deb ...",
				"Unpacking curl (7.88.1-10+deb12u8) ...",
				"Fetched 8,791 kB in 2s (4,418 kB/s)",
			},
			want: []string{
				"debconf: delaying package configuration, since apt-utils is not installed",
				"Selecting previously unselected package curl.",
				"(Reading database ... 4381 files and directories currently installed.)",
				"Preparing to unpack .../curl_7.88.1-10+deb12u8_amd64.deb ...",
				"Unpacking curl (7.88.1-10+deb12u8) ...",
				"Fetched <size> in <duration> (<size>/s)",
			},
		},
		{
			name: "docker compose",
			in: []string{
				"[+] Running 3/3",
				" ✔ Network lab_default    Created                                            0.1s",
				" ✔ Container lab-redis-1  Started                                            0.4s",
				"NAME          IMAGE     COMMAND                  SERVICE   CREATED          STATUS          PORTS",
				"lab-web-1     lab-web   \"flask run\"              web       10 seconds ago   Up 9 seconds    0.0.0.0:5000->5000/tcp",
			},
			want: []string{
				"[+] Running 3/3",
				" ✔ Network lab_default  Created  <duration>",
				" ✔ Container lab-redis-1  Started  <duration>",
				"NAME  IMAGE  COMMAND  SERVICE  CREATED  STATUS  PORTS",
				"lab-web-1  lab-web  \"flask run\"  web  <time>  Up <time>  0.0.0.0:5000->5000/tcp",
			},
		},
		{
			name: "dates and pings",
			in: []string{
				"Thu Nov 26 17:28:22 UTC 2026",
				"Date: Thu, 26 Nov 2026 17:28:22 GMT",
				"2026-11-26 17:28:22 +0000 UTC",
				"PING 172.17.0.3 (172.17.0.3): 56 data bytes",
				"64 bytes from 172.17.0.3: seq=0 ttl=64 time=0.045 ms",
				"round-trip min/avg/max = <duration>",
				"rtt min/avg/max/mdev = 0.045/0.060/0.075/0.015 ms",
				"real\t0m0.005s",
				"1:M 26 Nov 2026 17:28:22.123 * Ready to accept connections tcp",
				"-rw-r--r-- 1 root root    0 Nov 26 17:28 made-now.txt",
				"-rw-r--r-- 1 root root 1234 Oct  3  2025 from-image.txt",
				" ID: e3b0c442-98fc-1c14-9afb-f4c8996fb924",
			},
			want: []string{
				"<timestamp>",
				"Date: <timestamp>",
				"<timestamp>",
				"PING <ip-1> (<ip-1>): 56 data bytes",
				"64 bytes from <ip-1>: seq=0 ttl=64 time=<duration>",
				"round-trip min/avg/max = <duration>",
				"rtt min/avg/max/mdev = <duration>",
				"real\t<duration>",
				"1:M <timestamp> * Ready to accept connections tcp",
				"-rw-r--r-- 1 root root  0 <timestamp> made-now.txt",
				"-rw-r--r-- 1 root root 1234 Oct  3  2025 from-image.txt",
				" ID: <uuid-1>",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New().Lines(tt.in, nil)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d\n  in:   %q\n  got:  %q\n  want: %q", i+1, tt.in[i], got[i], tt.want[i])
				}
			}
		})
	}
}

// These lines carry meaning and must come out exactly as they went in.
func TestUnchanged(t *testing.T) {
	lines := []string{
		"Docker version 20.10.24, build 297e128",
		"Client: Docker Engine - Community",
		"Hello from Docker!",
		"0.0.0.0:8080->80/tcp",
		"127.0.0.1:5000->5000/tcp",
		"[::]:80->80/tcp",
		"listening on [::1]:7000 and 0.0.0.0:7000",
		"Server listening on :: port 22.",
		"inet 127.0.0.1/8 scope host lo",
		"link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff",
		"sleep 5s then timeout 30s",
		"PID 1234 ttl=64 icmp_seq=1",
		"apt-get install -y curl=7.88.1-10+deb12u5",
		"Step 1/3 : FROM python:3.12-slim",
		"Downloading 100% complete",
		"Exited (137)",
		"commit 0123456789abcdef0123456789abcdef01234567",
		"deadbeef cafe 0xff",
		"meeting at 12:00 in room 42",
		"my_container web-1 boring_old_name",
		"libssl3 (3.0.15-1~deb12u1)",
		"CMD [\"python\", \"app.py\"]",
		"Status: Image is up to date for alpine:3.19",
		"up 3 days, load average: 0.00",
		"tail: cannot open 'x': No such file or directory",
		"    indented line keeps its indentation",
		"tab\tseparated",
		"",
	}
	n := New()
	for _, l := range lines {
		if got := n.Line(l, nil); got != l {
			t.Errorf("changed:\n  in:  %q\n  got: %q", l, got)
		}
	}
}

func TestSamePlaceholderAcrossLines(t *testing.T) {
	n := New()
	a := n.Line("started "+cid+" at 172.17.0.5", nil)
	b := n.Line("other "+cid2+" at 172.17.0.6", nil)
	c := n.Line("again "+cid+" at 172.17.0.5 and 172.17.0.6", nil)
	want := []string{
		"started <container-1> at <ip-1>",
		"other <container-2> at <ip-2>",
		"again <container-1> at <ip-1> and <ip-2>",
	}
	for i, got := range []string{a, b, c} {
		if got != want[i] {
			t.Errorf("line %d: got %q, want %q", i+1, got, want[i])
		}
	}
}

func TestShortAndLongForms(t *testing.T) {
	tests := []struct {
		name string
		in   []string
	}{
		{"long then short", []string{cid, short(cid)}},
		{"short then long", []string{short(cid), cid}},
		{"digest then bare", []string{"sha256:" + img, img}},
		{"bare short then digest", []string{short(img), "sha256:" + img}},
		{"hostname then id", []string{"root@" + short(cid) + ":/#", cid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := New()
			first := n.Line(tt.in[0], nil)
			second := n.Line(tt.in[1], nil)
			p := placeholderRE.FindString(first)
			if p == "" || p != second {
				t.Errorf("first %q, second %q: want the same placeholder", first, second)
			}
		})
	}
}

func TestNumberingPerPage(t *testing.T) {
	// A fresh Normalizer (a new page) starts counting again.
	for range 2 {
		n := New()
		if got := n.Line(cid2+" "+cid, nil); got != "<container-1> <container-2>" {
			t.Fatalf("got %q", got)
		}
	}
}

func TestRedaction(t *testing.T) {
	page := regexp.MustCompile(`token-[A-Za-z0-9]+`)
	block := regexp.MustCompile(`\bpid \d+`)
	n := New(page)
	got := n.Line("token-Zx81 pid 4242 on 172.17.0.2 took 0.3s", block)
	want := "<redacted> <redacted> on <ip-1> took <duration>"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The block pattern applies only where it is given.
	if got := n.Line("pid 4242", nil); got != "pid 4242" {
		t.Errorf("got %q", got)
	}
	// A redaction pattern that would match inside "<redacted>" or other
	// placeholders must not eat them.
	re := regexp.MustCompile(`red|ip|\d`)
	if got := New().Line("<redacted> <ip-1> 7", re); got != "<redacted> <ip-1> <redacted>" {
		t.Errorf("got %q", got)
	}
	// An empty-matching pattern is harmless.
	if got := New().Line("abc", regexp.MustCompile(`x*`)); got != "abc" {
		t.Errorf("got %q", got)
	}
}

func TestColumnDrift(t *testing.T) {
	// The same row padded for a wider or narrower value elsewhere in the
	// table must normalise identically.
	n := New()
	a := n.Line(short(cid)+"   nginx     \"nginx -g…\"   Up 2 seconds          0.0.0.0:32768->80/tcp   web", nil)
	b := n.Line(short(cid)+"   nginx     \"nginx -g…\"   Up About a minute   0.0.0.0:32768->80/tcp     web   ", nil)
	if a != b {
		t.Errorf("rows differ:\n%q\n%q", a, b)
	}
}

func TestEphemeralPortRange(t *testing.T) {
	n := New()
	for _, c := range []struct{ in, want string }{
		{"0.0.0.0:32767->80/tcp", "0.0.0.0:32767->80/tcp"},
		{"0.0.0.0:32768->80/tcp", "0.0.0.0:<port-1>->80/tcp"},
		{"0.0.0.0:60999->80/tcp", "0.0.0.0:<port-2>->80/tcp"},
		{"0.0.0.0:61000->80/tcp", "0.0.0.0:61000->80/tcp"},
		{"curl localhost:60999", "curl localhost:<port-2>"},
	} {
		if got := n.Line(c.in, nil); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIdempotentOnTranscripts(t *testing.T) {
	var all []string
	all = append(all, strings.Split(fuzzSeed, "\n")...)
	n := New()
	once := n.Lines(all, nil)
	for i, l := range once {
		if again := New().Line(l, nil); again != l {
			t.Errorf("fresh normalizer changed line %d: %q -> %q", i+1, l, again)
		}
		if again := n.Line(l, nil); again != l {
			t.Errorf("same normalizer changed line %d: %q -> %q", i+1, l, again)
		}
	}
}

const fuzzSeed = `3f4e8c1a9b2d   nginx:1.27   "/docker-entrypoint.…"   3 seconds ago   Up 2 seconds   0.0.0.0:32768->80/tcp, :::32768->80/tcp   eloquent_turing
root@3f4e8c1a9b2d:/# ip addr
    inet6 fe80::42:acff:fe11:2/64 scope link
    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff
        "Created": "2026-11-26T17:28:22.123456789Z",
#5 0.512 Get:1 http://mirror.example.invalid/debian bookworm InRelease [151 kB]
#7 writing image sha256:9bea9f2796e236cb18c2b3ad561ff29f655d1001f9ec7247a0bc5e08d25652a1 done
Images          5         2         1.23GB    1.1GB (89%)
Thu Nov 26 17:28:22 UTC 2026  ::ffff:172.17.0.2  1.2.3.4.5  2026-11-26 17:28:22 +0000 UTC m=+0.000123
<redacted>#5 0.1 <ip-1>:32768 about an hour ago 12ms`

func BenchmarkLine(b *testing.B) {
	lines := strings.Split(fuzzSeed, "\n")
	for b.Loop() {
		New().Lines(lines, nil)
	}
}

func FuzzIdempotent(f *testing.F) {
	for _, l := range strings.Split(fuzzSeed, "\n") {
		f.Add(l)
	}
	f.Add("  a  b\t\t c  ")
	f.Add("<container-1>abc123def456<ip-2>")
	block := regexp.MustCompile(`secret\w*`)
	f.Fuzz(func(t *testing.T, s string) {
		n := New()
		once := n.Line(s, block)
		if twice := New().Line(once, block); twice != once {
			t.Fatalf("fresh normalizer not idempotent:\n  in:    %q\n  once:  %q\n  twice: %q", s, once, twice)
		}
		if twice := n.Line(once, block); twice != once {
			t.Fatalf("same normalizer not idempotent:\n  in:    %q\n  once:  %q\n  twice: %q", s, once, twice)
		}
	})
}

// Layers reported in the order they finished compare equal whatever that
// order; other lines keep theirs, and a changed status still differs.
func TestLayerLinesInAnyOrder(t *testing.T) {
	a := []string{"latest: Pulling from netcat", "8aa100408b63: Pull complete", "45537016ed88: Already exists", "Digest: sha256:" + dgst}
	b := []string{"latest: Pulling from netcat", "1c2d3e4f5a6b: Already exists", "7f8e9d0c1b2a: Pull complete", "Digest: sha256:" + dgst}
	na, nb := New().Lines(a, nil), New().Lines(b, nil)
	if !slices.Equal(na, nb) {
		t.Fatalf("the same pull in another order differs:\n%q\n%q", na, nb)
	}
	if a[1] != "8aa100408b63: Pull complete" {
		t.Fatal("Lines changed its argument")
	}
	c := slices.Clone(b)
	c[2] = "7f8e9d0c1b2a: Already exists"
	if nc := New().Lines(c, nil); slices.Equal(na, nc) {
		t.Fatalf("a layer that was pulled and now already existed compares equal: %q", nc)
	}
	lines := []string{"b", "a"}
	if got := New().Lines(lines, nil); !slices.Equal(got, lines) {
		t.Fatalf("other lines were reordered: %q", got)
	}
}

// A history row's first column is a build image's ID or <missing>
// depending on how the image came to the machine; both read as <layer>.
// Other outputs that start with IDs keep them.
func TestHistoryLayers(t *testing.T) {
	built := []string{"IMAGE          CREATED         SIZE", "f475ca85dfac   1 second ago    22MB", "9625d6172dae   5 minutes ago   0B", "c3ca0e4d2080   5 minutes ago   86.8MB"}
	pulled := []string{"IMAGE          CREATED          SIZE", "0e1d2c3b4a59   2 seconds ago    22MB", "<missing>      10 minutes ago   0B", "<missing>      10 minutes ago   86.8MB"}
	a, b := New().Lines(built, nil), New().Lines(pulled, nil)
	if !slices.Equal(a, b) {
		t.Fatalf("history of a built and a pulled image differ:\n%q\n%q", a, b)
	}
	if built[1] != "f475ca85dfac   1 second ago    22MB" {
		t.Fatal("Lines changed its argument")
	}
	ps := []string{"CONTAINER ID   IMAGE     COMMAND", "d6269298037b   debian    \"bash\""}
	if got := New().Lines(ps, nil); strings.Contains(strings.Join(got, "\n"), "<layer>") {
		t.Fatalf("docker ps rows read as history: %q", got)
	}
	if shorter := New().Lines(pulled[:3], nil); slices.Equal(shorter, b[:len(shorter)]) && len(shorter) == len(b) {
		t.Fatal("a history with a layer fewer compares equal")
	}
	steps := []string{"IMAGE          CREATED         CREATED BY             SIZE", "<missing>      5 minutes ago   CMD [\"bash\"]             0B"}
	other := []string{"IMAGE          CREATED         CREATED BY             SIZE", "9625d6172dae   5 minutes ago   CMD [\"nginx\"]            0B"}
	if slices.Equal(New().Lines(steps, nil), New().Lines(other, nil)) {
		t.Fatal("another step in the history compares equal")
	}
}

// The files of a build step are named by their content's hash, which a
// base image's rebuilt root file system changes with every build.
func TestBuildFileHashes(t *testing.T) {
	a := New().Lines([]string{"<missing>      10 minutes ago   /bin/sh -c #(nop) ADD file:fa8af0f3292fcebbd…   86.8MB"}, nil)
	b := New().Lines([]string{"<missing>      10 minutes ago   /bin/sh -c #(nop) ADD file:7c0fed6efc2b7be3f…   86.8MB"}, nil)
	if !slices.Equal(a, b) || !strings.Contains(a[0], "ADD file:<hash>") {
		t.Fatalf("two builds of one step differ: %q, %q", a, b)
	}
	if c := New().Lines([]string{"<missing>      10 minutes ago   /bin/sh -c #(nop) COPY file:fa8af0f3292fcebbd…   86.8MB"}, nil); slices.Equal(a, c) {
		t.Fatal("an ADD and a COPY compare equal")
	}
}
