// Package tenanttest helps other areas' tests put a corp into the state an
// interrupted two-phase delete leaves behind: marked Deleting, data intact.
package tenanttest

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// stopPurge fails the purge step, like a crash or a full disk right after
// the corp was marked.
type stopPurge struct{}

var errStopped = errors.New("tenanttest: delete interrupted on purpose")

func (stopPurge) CorpUses(*store.Tx, string) ([]tenant.Use, error) { return nil, nil }
func (stopPurge) DeleteCorpData(*store.Tx, string) error           { return nil }
func (stopPurge) PurgeCorpData(*store.DB, string) error            { return errStopped }

// MarkDeleting runs a real DeleteCorp (confirmed with the corp's usage
// token) that is interrupted after the mark: the corp and everything it
// holds stay, marked as being deleted.
func MarkDeleting(t testing.TB, db *store.DB, corpID string) {
	t.Helper()
	deps := &tenant.Dependents{}
	deps.Add(stopPurge{})
	svc := tenant.New(context.Background(), db, nil, deps, core.SystemClock{}, slog.New(slog.DiscardHandler))
	u, err := svc.CorpUsage(corpID)
	if err != nil {
		t.Fatalf("tenanttest: usage of %s: %v", corpID, err)
	}
	if err := svc.DeleteCorp(corpID, u.Token); !errors.Is(err, errStopped) {
		t.Fatalf("tenanttest: delete of %s: %v, want the interruption", corpID, err)
	}
}
