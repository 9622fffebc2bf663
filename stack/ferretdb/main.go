// Command ferretdb runs FerretDB v1.24.2 through its embedding package with the PostgreSQL
// handler, so that MongoDB drivers can talk to a PostgreSQL database.
//
// FerretDB's own cmd/ferretdb panics at start when it is built from the Go module proxy, because
// it expects a generated build/version/version.txt that only its release builds contain. The
// embedding package skips that check.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27027", "TCP address (host:port) for MongoDB wire protocol clients")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection URL, for example postgres://postgres@127.0.0.1:54329/ferretdb")
	logLevel := flag.String("log-level", "warn", "minimum log level: debug, info, warn or error")
	flag.Parse()

	if *postgresqlURL == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -postgresql-url is missing, for example -postgresql-url postgres://postgres@127.0.0.1:54329/ferretdb")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: invalid -log-level %q, expected debug, info, warn or error\n", *logLevel)
		os.Exit(2)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// The embedding package turns telemetry off by itself and starts no telemetry reporter.
	server, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *postgresqlURL,
	})
	if err != nil {
		logger.Error("FerretDB failed to start", "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	logger.Info("FerretDB listening", "address", *listenAddr)

	// Run returns once ctx is cancelled by a signal, after it has closed the listener, every
	// client connection and the PostgreSQL pool.
	if err := server.Run(ctx); err != nil {
		logger.Error("FerretDB stopped with an error", "error", err)
		os.Exit(1)
	}

	logger.Info("FerretDB stopped")
}
