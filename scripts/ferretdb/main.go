// Command ferretdb runs FerretDB v1.24.2 (embedded; SQLite backend, or the
// PostgreSQL one with --handler postgresql) as a throwaway MongoDB-wire test
// server for keyturn.
//
// It is built and driven by scripts/ferretdb.mjs; see that file for usage.
//
//	ferretdb --port 27018 --data ./data/ferretdb
//	ferretdb --port 0 --handler postgresql --postgresql-url postgres://127.0.0.1:5433/ferretdb
//
// On startup it prints exactly one line with the MongoDB URI to stdout
// (useful with --port 0, where the OS picks the port). Logs go to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	port := flag.Int("port", 27017, "TCP port to listen on (0 = let the OS pick one)")
	data := flag.String("data", "data/ferretdb", "directory for the SQLite database files (created if missing)")
	handler := flag.String("handler", "sqlite", "backend: sqlite, or postgresql (needs --postgresql-url)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string for --handler postgresql")
	flag.Parse()

	if err := run(*port, *data, *handler, *pgURL); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(port int, data, handler, pgURL string) error {
	if handler != "sqlite" && handler != "postgresql" {
		return fmt.Errorf("--handler must be sqlite or postgresql (got %q)", handler)
	}
	if handler == "postgresql" && pgURL == "" {
		return fmt.Errorf("--handler postgresql needs --postgresql-url")
	}

	// Catch signals first, so that even an early SIGTERM ends in a clean exit.
	// Repeated signals are ignored on purpose: Ctrl-C in a terminal reaches this
	// process directly *and* via scripts/ferretdb.mjs (which then sends SIGTERM);
	// that second signal must not kill us mid-shutdown. The .mjs SIGKILLs after 5 s.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	dir, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	// Quiet: FerretDB logs every connection at INFO; keep only warnings and errors.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{
			// Loopback only: this is an unauthenticated test server and must
			// never be reachable from the network.
			TCP: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		},
		Logger:  logger,
		Handler: handler,
		// Writers run concurrently on PostgreSQL, as they do on MongoDB (unlike SQLite's one writer).
		PostgreSQLURL: pgURL,
		// The SQLite handler wants a "file:" URI naming an existing directory,
		// with a trailing slash; each MongoDB database becomes <dir>/<db>.sqlite.
		// url.URL percent-escapes odd characters (spaces…) in the path for us.
		SQLiteURL: (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String(),
		// Telemetry: the embeddable package never starts the telemetry reporter
		// and explicitly marks telemetry as disabled in its (in-memory) state,
		// so nothing phones home and there is no option to set here.
	})
	if err != nil {
		return err
	}

	// The listener is already bound by New, so this does not block.
	fmt.Println(f.MongoDBURI())

	// Run returns after the listener, all client connections (given a few
	// seconds to finish) and the SQLite backend are closed.
	return f.Run(ctx)
}
