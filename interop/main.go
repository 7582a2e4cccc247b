// Command interop plays isp-config-service for one module session, using the published ETP server
// (github.com/txix-open/etp/v4) and isp-kit's own cluster types, and checks that what the Java module sends
// is what an isp-kit module would send.
//
// Every payload is decoded strictly into isp-kit's structs (unknown fields rejected) and its field names are
// compared with those isp-kit's json package writes. The remote-config schema is compiled with
// gojsonschema v1.2.0, as the config service does, and the configs pushed are validated against it. The
// config and address pushes use ackId 0, as the service does.
//
// It prints "LISTENING <port>" once it accepts connections, one "ok ..." line per check, and ends with
// "PASS" (exit 0) after the module closed its session normally, or "FAIL: ..." (exit 1).
package main

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/txix-open/etp/v4"
	"github.com/txix-open/etp/v4/msg"
	"github.com/txix-open/isp-kit/cluster"
	ispjson "github.com/txix-open/isp-kit/json"
	"github.com/xeipuuv/gojsonschema"
)

var (
	listen        = flag.String("listen", "127.0.0.1:0", "address to listen on")
	moduleName    = flag.String("module", "", "expected module_name")
	required      = flag.String("required", "", "expected required module (its addresses are pushed)")
	firstConfig   = flag.String("config", `{"greeting":"from-go","logLevel":"info"}`, "config sent on connect")
	changedConfig = flag.String("changed", `{"greeting":"changed-by-go","logLevel":"debug"}`, "config pushed after MODULE:READY")
	timeout       = flag.Duration("timeout", 90*time.Second, "give up after this long")
	expectDefault = flag.String("expect-default", "", "file whose JSON value the default config must equal exactly")
	expectSchema  = flag.String("expect-schema", "", "file whose JSON value the schema must equal exactly")
)

type checker struct {
	mu       sync.Mutex
	failures []string
	schema   *gojsonschema.Schema
	ready    chan struct{}
	done     chan error
	once     sync.Once
}

func (c *checker) ok(format string, args ...any) {
	fmt.Printf("ok "+format+"\n", args...)
}

func (c *checker) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	message := fmt.Sprintf(format, args...)
	c.failures = append(c.failures, message)
	fmt.Println("FAIL: " + message)
}

// decodeStrict decodes data into target rejecting unknown fields, and checks that the top-level field
// names are exactly those isp-kit's json package writes for the same type.
func (c *checker) decodeStrict(event string, data []byte, target any) bool {
	decoder := stdjson.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(target); err != nil {
		c.fail("%s: decode into isp-kit's %T: %v (data %s)", event, target, err, data)
		return false
	}
	var got map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(data, &got); err != nil {
		c.fail("%s: not a JSON object: %v", event, err)
		return false
	}
	zero := reflect.New(reflect.TypeOf(target).Elem()).Interface()
	written, _ := ispjson.Marshal(zero)
	var want map[string]stdjson.RawMessage
	_ = stdjson.Unmarshal(written, &want)
	if !reflect.DeepEqual(keys(got), keys(want)) {
		c.fail("%s: field names %v, isp-kit writes %v", event, keys(got), keys(want))
		return false
	}
	c.ok("%s decodes into isp-kit's %T with exactly its field names %v", event, target, keys(want))
	return true
}

func keys(m map[string]stdjson.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *checker) validate(name string, config string) {
	if c.schema == nil {
		return
	}
	result, err := c.schema.Validate(gojsonschema.NewStringLoader(config))
	if err != nil {
		c.fail("validate %s: %v", name, err)
		return
	}
	if !result.Valid() {
		c.fail("%s does not validate against the module's schema: %v", name, result.Errors())
		return
	}
	c.ok("%s validates against the module's schema (gojsonschema)", name)
}

func main() {
	flag.Parse()
	c := &checker{ready: make(chan struct{}), done: make(chan error, 1)}
	server := etp.NewServer(etp.WithServerReadLimit(4 * 1024 * 1024))

	server.OnConnect(func(conn *etp.Conn) {
		name := conn.HttpRequest().URL.Query().Get("module_name")
		if name != *moduleName {
			c.fail("module_name %q, want %q", name, *moduleName)
		} else {
			c.ok("connected at %s with module_name=%s", conn.HttpRequest().URL.Path, name)
		}
	})

	server.On(cluster.ModuleSendConfigSchema, etp.HandlerFunc(func(ctx context.Context, conn *etp.Conn, event msg.Event) []byte {
		if event.AckId != 1 {
			c.fail("%s: ackId %d, want 1", event.Name, event.AckId)
		}
		var data cluster.ConfigData
		if c.decodeStrict(event.Name, event.Data, &data) {
			c.checkSchema(data)
		}
		// As the service: push the active config before acknowledging the schema.
		if err := conn.Emit(ctx, cluster.ConfigSendConfigWhenConnected, []byte(*firstConfig)); err != nil {
			c.fail("emit config: %v", err)
		}
		return []byte("ok")
	}))

	server.On(cluster.ModuleSendRequirements, etp.HandlerFunc(func(ctx context.Context, conn *etp.Conn, event msg.Event) []byte {
		if event.AckId != 2 {
			c.fail("%s: ackId %d, want 2", event.Name, event.AckId)
		}
		var data cluster.ModuleRequirements
		if c.decodeStrict(event.Name, event.Data, &data) {
			want := []string{}
			if *required != "" {
				want = []string{*required}
			}
			if !reflect.DeepEqual(data.RequiredModules, want) || data.RequireRoutes {
				c.fail("requirements %+v, want requiredModules %v and requireRoutes false", data, want)
			} else {
				c.ok("requirements: %v, requireRoutes false", data.RequiredModules)
			}
		}
		if *required != "" {
			go pushAddresses(ctx, c, conn, []cluster.AddressConfiguration{{IP: "10.0.0.7", Port: "9011"}})
		}
		return []byte("ok")
	}))

	server.On(cluster.ModuleReady, etp.HandlerFunc(func(ctx context.Context, conn *etp.Conn, event msg.Event) []byte {
		if event.AckId != 3 {
			c.fail("%s: ackId %d, want 3", event.Name, event.AckId)
		}
		var data cluster.BackendDeclaration
		if c.decodeStrict(event.Name, event.Data, &data) {
			c.checkDeclaration(data)
		}
		go func() {
			time.Sleep(2 * time.Second)
			c.validate("the changed config", *changedConfig)
			if err := conn.Emit(context.Background(), cluster.ConfigSendConfigChanged, []byte(*changedConfig)); err != nil {
				c.fail("emit changed config: %v", err)
			}
			if *required != "" {
				pushAddresses(context.Background(), c, conn, []cluster.AddressConfiguration{
					{IP: "10.0.0.7", Port: "9011"}, {IP: "fd00::8", Port: "9012"}})
			}
			c.once.Do(func() { close(c.ready) })
		}()
		return []byte("ok")
	}))

	server.OnUnknownEvent(etp.HandlerFunc(func(ctx context.Context, conn *etp.Conn, event msg.Event) []byte {
		c.fail("unexpected event %s from the module", event.Name)
		return nil
	}))
	server.OnError(func(conn *etp.Conn, err error) {
		c.fail("etp error: %v", err)
	})
	server.OnDisconnect(func(conn *etp.Conn, err error) {
		select {
		case <-c.ready:
		default:
			c.done <- fmt.Errorf("the module disconnected before the session was complete: %v", err)
			return
		}
		if err != nil && !etp.IsNormalClose(err) {
			c.done <- fmt.Errorf("the module closed the session abnormally: %v (status %v)", err, websocket.CloseStatus(err))
			return
		}
		c.ok("the module closed the session normally (1000)")
		c.done <- nil
	})

	mux := http.NewServeMux()
	mux.Handle("/isp-etp/", server)
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Println("FAIL: listen:", err)
		os.Exit(1)
	}
	go func() { _ = http.Serve(listener, mux) }()
	fmt.Printf("LISTENING %d\n", listener.Addr().(*net.TCPAddr).Port)

	var result error
	select {
	case result = <-c.done:
	case <-time.After(*timeout):
		result = errors.New("timeout: no complete session")
	}
	if result != nil {
		c.fail("%v", result)
	}
	if len(c.failures) > 0 {
		fmt.Printf("FAIL: %d problem(s)\n", len(c.failures))
		os.Exit(1)
	}
	fmt.Println("PASS")
}

func pushAddresses(ctx context.Context, c *checker, conn *etp.Conn, addresses []cluster.AddressConfiguration) {
	data, err := ispjson.Marshal(addresses)
	if err != nil {
		c.fail("marshal addresses: %v", err)
		return
	}
	if err := conn.Emit(ctx, cluster.ModuleConnectedEvent(*required), data); err != nil {
		c.fail("emit addresses: %v", err)
	}
}

func (c *checker) checkSchema(data cluster.ConfigData) {
	if data.Version == "" {
		c.fail("ConfigData.Version is empty")
	}
	decoded, err := exactValue(data.Schema)
	schema, isObject := decoded.(map[string]any)
	if err != nil || !isObject {
		c.fail("schema is not a JSON object: %v", err)
		return
	}
	if _, found := schema["$schema"]; found {
		c.fail("schema declares $schema; isp-kit strips it")
	}
	if schema["title"] != "Remote config" {
		c.fail("schema title %v, want \"Remote config\"", schema["title"])
	}
	if strings.Contains(string(data.Schema), "$ref") {
		c.fail("schema uses $ref; isp-kit inlines every type")
	}
	compiled, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(data.Schema))
	if err != nil {
		c.fail("gojsonschema cannot compile the schema: %v", err)
		return
	}
	c.schema = compiled
	c.ok("schema compiles with gojsonschema v1.2.0 (version %s)", data.Version)
	if config, err := exactValue(data.Config); err != nil {
		c.fail("default config is not JSON: %v", err)
	} else if _, isObject := config.(map[string]any); !isObject {
		c.fail("default config is not a JSON object")
	} else {
		c.ok("default config is a JSON object")
	}
	c.exactly("default config", data.Config, *expectDefault)
	c.exactly("schema", data.Schema, *expectSchema)
	c.validate("the first config", *firstConfig)
}

// exactly checks that got is the JSON value in file, every number compared as an exact rational (big.Rat):
// not one digit may change, only the text form of an equal value.
func (c *checker) exactly(what string, got []byte, file string) {
	if file == "" {
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		c.fail("read %s: %v", file, err)
		return
	}
	a, errA := exactValue(got)
	b, errB := exactValue(want)
	if errA != nil || errB != nil {
		c.fail("%s: cannot compare (%v / %v)", what, errA, errB)
		return
	}
	if !sameExact(a, b) {
		c.fail("%s is not %s exactly: got %s", what, file, got)
		return
	}
	c.ok("%s equals %s exactly, number for number (big.Rat)", what, file)
}

func exactValue(data []byte) (any, error) {
	decoder := stdjson.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var value any
	err := decoder.Decode(&value)
	return value, err
}

func sameExact(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, found := y[k]; !found || !sameExact(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameExact(x[i], y[i]) {
				return false
			}
		}
		return true
	case stdjson.Number:
		y, ok := b.(stdjson.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		return okx && oky && rx.Cmp(ry) == 0
	default:
		return reflect.DeepEqual(a, b)
	}
}

func (c *checker) checkDeclaration(data cluster.BackendDeclaration) {
	switch {
	case data.ModuleName != *moduleName:
		c.fail("moduleName %q, want %q", data.ModuleName, *moduleName)
	case data.Transport != cluster.HttpTransport:
		c.fail("transport %q, want %q", data.Transport, cluster.HttpTransport)
	case data.Version == "" || data.LibVersion == "":
		c.fail("version %q / libVersion %q must not be empty", data.Version, data.LibVersion)
	case data.Address.IP == "":
		c.fail("address.ip is empty")
	default:
		if _, err := strconv.Atoi(data.Address.Port); err != nil {
			c.fail("address.port %q is not a port number", data.Address.Port)
			return
		}
		for _, endpoint := range data.Endpoints {
			if endpoint.HttpMethod == "" {
				c.fail("endpoint %s has no httpMethod", endpoint.Path)
				return
			}
		}
		want := []cluster.ModuleDependency{}
		if *required != "" {
			want = append(want, cluster.ModuleDependency{Name: *required, Required: true})
		}
		if !reflect.DeepEqual(data.RequiredModules, want) {
			c.fail("requiredModules %+v, want %+v", data.RequiredModules, want)
			return
		}
		c.ok("MODULE:READY: %s %s (lib %s), %s at %s:%s, %d endpoint(s)", data.ModuleName, data.Version,
			data.LibVersion, data.Transport, data.Address.IP, data.Address.Port, len(data.Endpoints))
	}
}
