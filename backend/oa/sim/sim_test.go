package sim

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
)

func TestGeneratedOrgIsDeterministic(t *testing.T) {
	a, b, c := generateOrg(3000, 42), generateOrg(3000, 42), generateOrg(3000, 43)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different org")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same org")
	}
	if n := len(a.Users); n < 3000 || n > 3200 {
		t.Fatalf("%d users for 3000", n)
	}
	var left, secondary, noLogin, sealed, nested int
	for _, u := range a.Users {
		switch {
		case u.AccountType == 1:
			secondary++
		case u.Status >= 4:
			left++
		}
		if u.LoginID == "" {
			noLogin++
		}
	}
	for _, d := range a.Departments {
		if d.Canceled {
			sealed++
		}
		if d.Parent != 0 {
			nested++
		}
	}
	if left < 50 || secondary < 20 || noLogin < 20 || sealed < 1 || nested < 50 || a.Subcompanies[0].Name != "演示部门" || a.Departments[0].Name != "部门A" {
		t.Fatalf("left %d secondary %d noLogin %d sealed %d nested %d", left, secondary, noLogin, sealed, nested)
	}
}

func TestLargeOrgPaging(t *testing.T) {
	if testing.Short() {
		t.Skip("100k users")
	}
	s := New(Options{Users: 100_000, Seed: 9})
	ts := httptest.NewServer(s)
	defer ts.Close()
	n := len(s.Org().Users)
	last := (n + 499) / 500
	page := hrm(t, ts.URL, pathUsers, map[string]any{"curpage": last, "pagesize": 500}, nil)
	if page.Data.TotalSize != n || len(page.Data.DataList) != n-(last-1)*500 {
		t.Fatalf("total %d rows %d (n %d)", page.Data.TotalSize, len(page.Data.DataList), n)
	}
}

type hrmAnswer struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
	Data struct {
		TotalSize int                 `json:"totalSize"`
		DataList  []map[string]string `json:"dataList"`
	} `json:"data"`
}

// hrm posts params as the documented form (params = JSON string).
func hrm(t *testing.T, base, path string, params map[string]any, header http.Header) hrmAnswer {
	t.Helper()
	raw, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(url.Values{"params": {string(raw)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) hrmAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a hrmAnswer
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: %s", err, b)
	}
	return a
}

func TestHRMEnvelopeAndFilters(t *testing.T) {
	clock := &core.FakeClock{T: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	s := New(Options{Users: 100, Seed: 1, Clock: clock})
	ts := httptest.NewServer(s)
	defer ts.Close()

	a := hrm(t, ts.URL, pathDepartments, map[string]any{"curpage": 1, "pagesize": 5}, nil)
	if a.Code != "1" || a.Data.TotalSize < 10 || len(a.Data.DataList) != 5 || a.Data.DataList[0]["id"] != "1" || a.Data.DataList[0]["supdepid"] != "0" {
		t.Fatalf("page 1: %+v", a)
	}
	past := hrm(t, ts.URL, pathDepartments, map[string]any{"curpage": 999, "pagesize": 5}, nil)
	if past.Code != "1" || past.Data.DataList == nil || len(past.Data.DataList) != 0 || past.Data.TotalSize != a.Data.TotalSize {
		t.Fatalf("past the end: %+v", past)
	}
	sealed := hrm(t, ts.URL, pathDepartments, map[string]any{"canceled": "1", "pagesize": 100}, nil)
	all := hrm(t, ts.URL, pathDepartments, map[string]any{"canceled": "2", "pagesize": 1000}, nil)
	if len(sealed.Data.DataList) == 0 || sealed.Data.DataList[0]["canceled"] != "1" || all.Data.TotalSize != a.Data.TotalSize+sealed.Data.TotalSize {
		t.Fatalf("canceled filter: sealed %d all %d active %d", sealed.Data.TotalSize, all.Data.TotalSize, a.Data.TotalSize)
	}
	// JSON body {"params":{…}} works as well as the form.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+pathUsers, strings.NewReader(`{"params":{"loginid":"ZhangSan","pagesize":"1"}}`))
	req.Header.Set("Content-Type", "application/json")
	if u := do(t, req); u.Code != "1" || len(u.Data.DataList) != 1 || u.Data.DataList[0]["lastname"] != "张三" {
		t.Fatalf("JSON body: %+v", u)
	}
	// modified ≥ filter.
	clock.Advance(time.Hour)
	s.UpdateUser(UserWangWu, func(u *User) { u.Email = "new@x" })
	m := hrm(t, ts.URL, pathUsers, map[string]any{"modified": clock.T.Add(-time.Minute).In(baseTime.Location()).Format("2006-01-02 15:04:05")}, nil)
	if m.Data.TotalSize != 1 || m.Data.DataList[0]["email"] != "new@x" {
		t.Fatalf("modified filter: %+v", m)
	}
}

func TestHRMKeyAuth(t *testing.T) {
	s := New(Options{AuthModes: []string{AuthKey}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	ts0 := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sum := md5.Sum([]byte(DemoTokenKey + ts0))
	key := strings.ToUpper(hex.EncodeToString(sum[:]))
	if a := hrm(t, ts.URL, pathJobTitles, map[string]any{}, http.Header{"Key": {key}, "Ts": {ts0}}); a.Code != "1" || len(a.Data.DataList) == 0 {
		t.Fatalf("header token: %+v", a)
	}
	// The token inside the body (fenbeitong style) works too.
	raw, _ := json.Marshal(map[string]string{"key": key, "ts": ts0})
	body := url.Values{"params": {"{}"}, "token": {string(raw)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+pathJobTitles, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := do(t, req); a.Code != "1" {
		t.Fatalf("body token: %+v", a)
	}
	if a := hrm(t, ts.URL, pathJobTitles, map[string]any{}, http.Header{"Key": {"00" + key[2:]}, "Ts": {ts0}}); a.Code == "1" {
		t.Fatal("a wrong key was accepted")
	}
	if a := hrm(t, ts.URL, pathJobTitles, map[string]any{}, nil); a.Code == "1" {
		t.Fatal("no credentials accepted in key-only mode")
	}
}

func TestControlAPIAndRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, addr, 40, 2) }()
	base := "http://" + addr
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get(base + "/wui/index.html"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	received := make(chan string, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- r.URL.Path + " " + string(b)
		io.WriteString(w, `{"operResult":"1"}`)
	}))
	defer recv.Close()
	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, m)
		}
		return m
	}
	post("/_sim/ofs", `{"url":"`+recv.URL+`"}`)
	m := post("/_sim/requests", `{"creator":"lisi","workflow":"请假申请","title":"调休","receivers":["zhangsan"]}`)
	if m["requestid"] == nil {
		t.Fatalf("%v", m)
	}
	got := <-received
	if !strings.HasPrefix(got, "/rest/ofs/batchReceiveRequestInfoByJson [") || !strings.Contains(got, `"receiver":"zhangsan"`) ||
		!strings.Contains(got, `"isremark":"0"`) || !strings.Contains(got, `"pcurl":"`+base) {
		t.Fatalf("push %s", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDemoUsersCanLogIn(t *testing.T) {
	ts := httptest.NewServer(Demo())
	defer ts.Close()
	for login, pwd := range map[string]string{"zhangsan": DemoPassword, "sysadmin": DemoAdminPassword, "wujiu": DemoPassword} {
		resp, err := http.PostForm(ts.URL+"/api/hrm/login/checkLogin", url.Values{"loginid": {login}, "userpassword": {pwd}})
		if err != nil {
			t.Fatal(err)
		}
		var a map[string]string
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if a["loginstatus"] != "true" {
			t.Fatalf("%s: %v", login, a)
		}
	}
}
