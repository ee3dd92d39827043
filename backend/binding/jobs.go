package binding

import (
	"context"
	"runtime/debug"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Progress of the running (or last) long job: export, import validation,
// apply, auto-bind, batch unbind, restore. Emitted as "binding:progress" at
// most every 100 ms and readable through JobStatus.
type Progress struct {
	Job     string `json:"job"`
	Stage   string `json:"stage,omitempty"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Running bool   `json:"running"`
	Error   string `json:"error,omitempty"` // catalogue code of a failure
}

// EventProgress is the event name of progress updates.
const EventProgress = "binding:progress"

type job struct {
	cancel   context.CancelFunc
	prog     Progress
	lastEmit time.Time
	memLimit int64 // the runtime's limit before the job lowered it; -1 untouched
}

// One long job at a time: two imports racing over the same users would
// each validate against a state the other is changing.
func (s *Service) startJob(name string, total int) (context.Context, *job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job != nil {
		return nil, nil, core.ErrBindingBusy.New()
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Minute)
	j := &job{cancel: cancel, prog: Progress{Job: name, Total: total, Running: true}, memLimit: -1}
	// Only where measured to help: imports and exports hold little live
	// data besides Badger's; a batch unbind or restore keeps Badger's write
	// buffers busy enough that a 200 MiB limit only makes the GC thrash.
	if lim := s.d.BulkMemoryLimit; lim > 0 && name != "unbind-all" && name != "restore" {
		if cur := debug.SetMemoryLimit(-1); lim < cur {
			j.memLimit = debug.SetMemoryLimit(lim)
		}
	}
	s.job = j
	s.emit(j, true)
	return ctx, j, nil
}

func (s *Service) step(j *job, stage string, done, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j.prog.Stage, j.prog.Done, j.prog.Total = stage, done, total
	s.emit(j, false)
}

func (s *Service) endJob(j *job, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j.cancel()
	if j.memLimit >= 0 {
		debug.SetMemoryLimit(j.memLimit)
	}
	j.prog.Running = false
	if err != nil {
		j.prog.Error = core.AsError(err).Code
	}
	s.lastJob = j.prog
	s.job = nil
	s.emit(j, true)
}

// emit runs under s.mu.
func (s *Service) emit(j *job, force bool) {
	if s.d.Emit == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(j.lastEmit) < 100*time.Millisecond {
		return
	}
	j.lastEmit = now
	s.d.Emit(EventProgress, j.prog)
}

// JobStatus returns the running job's progress, or the last job's.
func (s *Service) JobStatus() (Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job != nil {
		return s.job.prog, nil
	}
	return s.lastJob, nil
}

// CancelJob asks the running job to stop at the next chunk boundary;
// chunks already committed stay (the result says how many).
func (s *Service) CancelJob() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job == nil {
		return false, nil
	}
	s.job.cancel()
	return true, nil
}

// plan is a preview waiting for the admin's confirmation.
type plan struct {
	token   string
	kind    string // "autobind" | "import"
	corpID  string
	created time.Time
	changes []change
	rows    []importRow // import: every row with its verdict (for the report)
	name    string      // import: the uploaded file
	field   string      // import: the OA match field
}

const (
	planTTL   = 30 * time.Minute
	planLimit = 4 // each may hold 100k rows
)

func (s *Service) keepPlan(p *plan) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.d.Clock.Now()
	for t, q := range s.plans {
		if now.Sub(q.created) > planTTL || q.corpID == p.corpID && q.kind == p.kind {
			delete(s.plans, t)
		}
	}
	for len(s.plans) >= planLimit {
		var oldest string
		for t, q := range s.plans {
			if oldest == "" || q.created.Before(s.plans[oldest].created) {
				oldest = t
			}
		}
		delete(s.plans, oldest)
	}
	p.token, p.created = core.NewToken(), now
	s.plans[p.token] = p
	return p.token
}

func (s *Service) takePlan(token, kind string, remove bool) (*plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[token]
	if !ok || p.kind != kind || s.d.Clock.Now().Sub(p.created) > planTTL {
		delete(s.plans, token)
		return nil, core.ErrBindingImportExpired.New()
	}
	if remove {
		delete(s.plans, token)
	}
	return p, nil
}

// change is one binding to write, with the state the preview saw.
type change struct {
	Row          int // import row (1-based, as in the file); 0 for auto-bind
	WeLinkUserID string
	OAUserID     string
	OALoginID    string
	Prev         string // the OA id the WeLink user was bound to at preview ("" none)
	Detail       string
}

// RowProblem is one row (or user) that could not be applied.
type RowProblem struct {
	Row          int    `json:"row,omitempty"`
	WeLinkUserID string `json:"welinkUserId"`
	Reason       string `json:"reason"`
	Detail       string `json:"detail,omitempty"`
}

// ApplyResult counts what an apply did. Chunks are committed one by one:
// NotApplied > 0 says exactly how many planned changes were not written
// (cancel or a store failure, Error), nothing is half-written silently.
type ApplyResult struct {
	Planned    int          `json:"planned"`
	Applied    int          `json:"applied"`
	Unchanged  int          `json:"unchanged"`
	Stale      int          `json:"stale"` // changed since the preview: skipped
	NotApplied int          `json:"notApplied"`
	Canceled   bool         `json:"canceled,omitempty"`
	Error      *core.Error  `json:"error,omitempty"`
	Problems   []RowProblem `json:"problems"`
}

const (
	chunkSize   = 1000 // bindings per transaction (unbind all, restore, rebinds)
	bulkChunk   = 5000 // new bindings per batch flush
	maxProblems = 1000
)

// applyChanges writes the changes of a confirmed preview.
//
// Each chunk is re-checked against the current state first: a WeLink user
// whose binding changed since the preview, or whose OA user is held by
// someone else now, is skipped and reported (stale). New bindings are then
// written through a store batch (the store's path for validated bulk
// writes; a read-write transaction per 1000 bindings costs minutes at 100k
// because every unique-index check sorts the transaction's pending writes);
// rebinds, which must remove an old index entry, go through transactions.
// A cancel or a store failure stops between chunks and NotApplied says how
// many planned changes were not written.
func (s *Service) applyChanges(ctx context.Context, j *job, corpID, method string, changes []change) ApplyResult {
	res := ApplyResult{Planned: len(changes), Problems: []RowProblem{}}
	at := s.d.Clock.Now()
	problem := func(c change, reason, detail string) {
		res.Stale++
		if len(res.Problems) < maxProblems {
			res.Problems = append(res.Problems, RowProblem{Row: c.Row, WeLinkUserID: c.WeLinkUserID, Reason: reason, Detail: detail})
		}
	}
	stop := func(start int, err error) {
		res.Error, res.NotApplied = core.AsError(err), len(changes)-start
		s.log.Error("binding apply stopped", "corp", corpID, "method", method, "applied", res.Applied, "notApplied", res.NotApplied, "err", err)
	}
	// Who holds which OA user: read once (one index scan), kept up to date
	// with what this apply writes.
	holder := map[string]string{}
	if err := s.d.DB.View(func(tx *store.Tx) error {
		return eachBindingOfCorp(tx, corpID, func(b Binding) { holder[b.OAUserID] = b.WeLinkUserID })
	}); err != nil {
		stop(0, err)
		return res
	}
	for start := 0; start < len(changes); start += bulkChunk {
		if ctx.Err() != nil {
			res.Canceled, res.NotApplied = true, len(changes)-start
			break
		}
		chunk := changes[start:min(start+bulkChunk, len(changes))]
		var fresh, rebind []change
		err := s.d.DB.View(func(tx *store.Tx) error {
			// The batch below writes without put's check: a corp marked
			// for deletion meanwhile stops the apply here.
			if err := tenant.CheckActive(tx, corpID); err != nil {
				return err
			}
			for _, c := range chunk {
				cur, had, err := ForWeLinkUser(tx, corpID, c.WeLinkUserID)
				if err != nil {
					return err
				}
				switch {
				case had && cur.OAUserID == c.OAUserID:
					res.Unchanged++
				case had && cur.OAUserID != c.Prev || !had && c.Prev != "":
					problem(c, "stale", nonEmptyOr(cur.OALoginID, cur.OAUserID))
				case holder[c.OAUserID] != "" && holder[c.OAUserID] != c.WeLinkUserID:
					problem(c, "taken", holder[c.OAUserID])
				case had:
					rebind = append(rebind, c)
				default:
					fresh = append(fresh, c)
				}
			}
			return nil
		})
		if err != nil {
			stop(start, err)
			break
		}
		if len(fresh) > 0 {
			batch := s.d.DB.NewBatch()
			bulk := AuditEntry{CorpID: corpID, At: at, Action: ActionBind, Method: method, By: Admin, Items: make([]AuditItem, 0, len(fresh))}
			for _, c := range fresh {
				b := Binding{CorpID: corpID, WeLinkUserID: c.WeLinkUserID, OAUserID: c.OAUserID, OALoginID: c.OALoginID,
					Method: method, Detail: c.Detail, By: Admin, At: at}
				if err = Bindings.PutBatch(batch, &b); err != nil {
					break
				}
				bulk.Items = append(bulk.Items, AuditItem{WeLinkUserID: c.WeLinkUserID, OAUserID: c.OAUserID, OALoginID: c.OALoginID, Detail: c.Detail})
			}
			if err == nil {
				err = recordAuditBatch(batch, bulk)
			}
			if err == nil {
				err = batch.Flush()
			} else {
				batch.Cancel()
			}
			if err != nil {
				stop(start, err)
				break
			}
			for _, c := range fresh {
				holder[c.OAUserID] = c.WeLinkUserID
			}
			res.Applied += len(fresh)
		}
		rebound := 0
		for k := 0; k < len(rebind) && err == nil; k += chunkSize {
			part := rebind[k:min(k+chunkSize, len(rebind))]
			n := 0
			err = s.d.DB.Update(func(tx *store.Tx) error {
				n = 0
				for _, c := range part {
					if _, err := put(tx, Binding{CorpID: corpID, WeLinkUserID: c.WeLinkUserID, OAUserID: c.OAUserID, OALoginID: c.OALoginID,
						Method: method, Detail: c.Detail, By: Admin, At: at}, true, ""); err != nil {
						return err
					}
					n++
				}
				return nil
			})
			if err == nil {
				res.Applied += n
				rebound += n
				for _, c := range part {
					holder[c.OAUserID] = c.WeLinkUserID
				}
			}
		}
		if err != nil {
			stop(start, err)
			res.NotApplied = len(rebind) - rebound + len(changes) - start - len(chunk)
			break
		}
		s.step(j, "apply", start+len(chunk), len(changes))
	}
	s.log.Info("binding apply", "corp", corpID, "method", method, "planned", res.Planned, "applied", res.Applied,
		"unchanged", res.Unchanged, "stale", res.Stale, "notApplied", res.NotApplied)
	return res
}
