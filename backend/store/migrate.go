package store

import (
	"strconv"

	"cloudbridge/backend/core"
)

// A migration moves the data from Version-1 to Version. Migrations run in
// one transaction each, in order, at Open; the schema version is written in
// the same transaction, so a crash leaves either the old or the new schema.
type migration struct {
	Version int
	Name    string
	Apply   func(tx *Tx) error
}

// migrations is the schema history; append only, never edit a released one.
var migrations = []migration{
	{1, "initial layout: c/<collection>/<id>, i/<collection>/<index>/…, v/<singleton>", func(*Tx) error { return nil }},
}

// SchemaVersion is the newest schema this build understands.
func SchemaVersion() int { return migrations[len(migrations)-1].Version }

var schemaKey = NewSingleton[int]("meta.schema")

func (db *DB) migrate() error {
	var have int
	if err := db.View(func(tx *Tx) error {
		v, _, err := schemaKey.Get(tx)
		have = v
		return err
	}); err != nil {
		return err
	}
	if have > SchemaVersion() {
		return core.ErrStoreSchema.New("have", strconv.Itoa(have), "want", strconv.Itoa(SchemaVersion()))
	}
	for _, m := range migrations {
		if m.Version <= have {
			continue
		}
		err := db.Update(func(tx *Tx) error {
			if err := m.Apply(tx); err != nil {
				return err
			}
			v := m.Version
			return schemaKey.Put(tx, &v)
		})
		if err != nil {
			return err
		}
		db.log.Info("store schema migrated", "version", m.Version, "name", m.Name)
	}
	return nil
}

// Schema reports the schema version of the open store.
func (db *DB) Schema() (int, error) {
	var v int
	err := db.View(func(tx *Tx) error { var e error; v, _, e = schemaKey.Get(tx); return e })
	return v, err
}
