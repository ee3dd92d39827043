package audit

import "sort"

// Service is the 系统设置 › 审计日志 tab's API.
type Service struct {
	log     *Log
	actions func() []string
}

// NewService binds a log; actions lists the action codes the dispatcher
// records (for the filter).
func NewService(l *Log, actions func() []string) *Service {
	return &Service{log: l, actions: actions}
}

// ListEntries lists matching entries, newest first.
func (s *Service) ListEntries(q Query) (Page, error) { return s.log.List(q) }

// ListActions lists the action codes the log records, sorted.
func (s *Service) ListActions() ([]string, error) {
	out := append([]string(nil), s.actions()...)
	sort.Strings(out)
	return out, nil
}

// ExportEntries writes the matching entries (at most MaxExportRows) as an
// Excel workbook in lang ("zh-CN" or "en-US").
func (s *Service) ExportEntries(q Query, lang string) (FileData, error) {
	b, _, err := s.log.Export(q, lang)
	if err != nil {
		return FileData{}, err
	}
	return encodeFile("audit-log-"+s.log.o.Clock.Now().Format("20060102-150405")+".xlsx", b), nil
}
