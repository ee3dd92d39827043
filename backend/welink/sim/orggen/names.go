package orggen

// Name tables. Surname weights follow the rough frequency of China's most
// common surnames (per mille); the given-name characters are common ones
// with their pinyin (tone marks dropped).

type surname struct {
	cn, py string
	w      int
}

var surnames = []surname{
	{"王", "wang", 72}, {"李", "li", 72}, {"张", "zhang", 68}, {"刘", "liu", 54}, {"陈", "chen", 45},
	{"杨", "yang", 31}, {"黄", "huang", 22}, {"赵", "zhao", 20}, {"吴", "wu", 19}, {"周", "zhou", 19},
	{"徐", "xu", 13}, {"孙", "sun", 12}, {"马", "ma", 12}, {"朱", "zhu", 11}, {"胡", "hu", 10},
	{"郭", "guo", 10}, {"何", "he", 9}, {"林", "lin", 9}, {"高", "gao", 9}, {"罗", "luo", 8},
	{"郑", "zheng", 8}, {"梁", "liang", 7}, {"谢", "xie", 6}, {"宋", "song", 6}, {"唐", "tang", 6},
	{"许", "xu", 5}, {"邓", "deng", 5}, {"冯", "feng", 5}, {"韩", "han", 5}, {"曹", "cao", 5},
	{"曾", "zeng", 4}, {"彭", "peng", 4}, {"萧", "xiao", 4}, {"蔡", "cai", 4}, {"潘", "pan", 4},
	{"田", "tian", 4}, {"董", "dong", 4}, {"袁", "yuan", 4}, {"于", "yu", 4}, {"余", "yu", 4},
	{"叶", "ye", 3}, {"蒋", "jiang", 3}, {"杜", "du", 3}, {"苏", "su", 3}, {"魏", "wei", 3},
	{"程", "cheng", 3}, {"吕", "lv", 3}, {"丁", "ding", 3}, {"沈", "shen", 3}, {"任", "ren", 3},
	{"姚", "yao", 2}, {"卢", "lu", 2}, {"傅", "fu", 2}, {"钟", "zhong", 2}, {"姜", "jiang", 2},
	{"崔", "cui", 2}, {"谭", "tan", 2}, {"廖", "liao", 2}, {"范", "fan", 2}, {"汪", "wang", 2},
	{"陆", "lu", 2}, {"金", "jin", 2}, {"石", "shi", 2}, {"戴", "dai", 2}, {"贾", "jia", 2},
	{"韦", "wei", 1}, {"夏", "xia", 1}, {"邱", "qiu", 1}, {"方", "fang", 1}, {"侯", "hou", 1},
	{"邹", "zou", 1}, {"熊", "xiong", 1}, {"孟", "meng", 1}, {"秦", "qin", 1}, {"白", "bai", 1},
	{"欧阳", "ouyang", 1}, {"司马", "sima", 1}, {"上官", "shangguan", 1}, {"诸葛", "zhuge", 1},
}

var surnameTotal = func() int {
	t := 0
	for _, s := range surnames {
		t += s.w
	}
	return t
}()

var givenChars = [][2]string{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"强", "qiang"},
	{"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"涛", "tao"},
	{"明", "ming"}, {"超", "chao"}, {"秀", "xiu"}, {"英", "ying"}, {"华", "hua"}, {"慧", "hui"}, {"建", "jian"},
	{"平", "ping"}, {"刚", "gang"}, {"桂", "gui"}, {"玲", "ling"}, {"燕", "yan"}, {"辉", "hui"}, {"鹏", "peng"},
	{"文", "wen"}, {"斌", "bin"}, {"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"}, {"健", "jian"}, {"俊", "jun"},
	{"帆", "fan"}, {"帅", "shuai"}, {"旭", "xu"}, {"宁", "ning"}, {"龙", "long"}, {"林", "lin"}, {"欣", "xin"},
	{"婷", "ting"}, {"雪", "xue"}, {"琳", "lin"}, {"晨", "chen"}, {"怡", "yi"}, {"佳", "jia"}, {"嘉", "jia"},
	{"子", "zi"}, {"涵", "han"}, {"梓", "zi"}, {"轩", "xuan"}, {"博", "bo"}, {"文", "wen"}, {"雨", "yu"},
	{"思", "si"}, {"晓", "xiao"}, {"海", "hai"}, {"波", "bo"}, {"峰", "feng"}, {"志", "zhi"}, {"国", "guo"},
	{"红", "hong"}, {"霞", "xia"}, {"萍", "ping"}, {"兰", "lan"}, {"梅", "mei"}, {"云", "yun"}, {"飞", "fei"},
	{"鑫", "xin"}, {"昊", "hao"}, {"晨", "chen"}, {"阳", "yang"}, {"亮", "liang"}, {"成", "cheng"}, {"东", "dong"},
	{"新", "xin"}, {"春", "chun"}, {"秋", "qiu"}, {"冬", "dong"}, {"倩", "qian"}, {"颖", "ying"}, {"璐", "lu"},
	{"瑶", "yao"}, {"薇", "wei"}, {"蕾", "lei"}, {"悦", "yue"}, {"振", "zhen"}, {"荣", "rong"}, {"德", "de"},
	{"安", "an"}, {"永", "yong"}, {"福", "fu"}, {"生", "sheng"}, {"金", "jin"}, {"玉", "yu"}, {"诗", "shi"},
	{"一", "yi"}, {"可", "ke"}, {"若", "ruo"}, {"彤", "tong"}, {"沐", "mu"}, {"然", "ran"}, {"泽", "ze"},
}

// rareChars are 生僻字 that break naive systems; 𠮷 is outside the BMP.
var rareChars = [][2]string{
	{"𠮷", "ji"}, {"堃", "kun"}, {"喆", "zhe"}, {"昇", "sheng"}, {"犇", "ben"}, {"淼", "miao"},
	{"赟", "yun"}, {"珺", "jun"}, {"彧", "yu"}, {"翀", "chong"}, {"昪", "bian"}, {"䶮", "yan"},
}

var ethnicNames = [][2]string{
	{"阿卜杜拉·艾力", "Abdulla Eli"}, {"买买提·吐尔逊", "Mamat Tursun"}, {"古丽娜尔·阿不都", "Gulnar Abdu"},
	{"扎西·多吉", "Tashi Dorje"}, {"次仁·卓玛", "Tsering Drolma"}, {"巴特尔·额尔敦", "Bater Erdun"},
}

var foreignNames = []string{
	"John Smith", "Maria Garcia", "Kenji Tanaka", "Anna Müller", "David Kim", "Olivia Brown", "Lucas Martin",
}

var topNames = [][2]string{
	{"集团总部", "Group Headquarters"}, {"华东大区", "East China Region"}, {"华南大区", "South China Region"},
	{"华北大区", "North China Region"}, {"华中大区", "Central China Region"}, {"西南大区", "Southwest Region"},
	{"西北大区", "Northwest Region"}, {"东北大区", "Northeast Region"}, {"研发中心", "R&D Center"},
	{"制造中心", "Manufacturing Center"}, {"供应链中心", "Supply Chain Center"}, {"海外事业部", "International Business"},
	{"金融事业部", "Financial Services BU"}, {"互联网事业部", "Internet BU"}, {"共享服务中心", "Shared Services Center"},
	{"投资管理部", "Investment Management"}, {"工程建设事业部", "Engineering & Construction BU"}, {"能源事业部", "Energy BU"},
	{"医疗健康事业部", "Healthcare BU"}, {"教育事业部", "Education BU"},
}

var branchNames = [][2]string{
	{"上海分公司", "Shanghai Branch"}, {"杭州分公司", "Hangzhou Branch"}, {"南京分公司", "Nanjing Branch"},
	{"苏州分公司", "Suzhou Branch"}, {"合肥分公司", "Hefei Branch"}, {"广州分公司", "Guangzhou Branch"},
	{"深圳分公司", "Shenzhen Branch"}, {"东莞分公司", "Dongguan Branch"}, {"福州分公司", "Fuzhou Branch"},
	{"厦门分公司", "Xiamen Branch"}, {"北京分公司", "Beijing Branch"}, {"天津分公司", "Tianjin Branch"},
	{"石家庄分公司", "Shijiazhuang Branch"}, {"济南分公司", "Jinan Branch"}, {"青岛分公司", "Qingdao Branch"},
	{"武汉分公司", "Wuhan Branch"}, {"长沙分公司", "Changsha Branch"}, {"郑州分公司", "Zhengzhou Branch"},
	{"成都分公司", "Chengdu Branch"}, {"重庆分公司", "Chongqing Branch"}, {"昆明分公司", "Kunming Branch"},
	{"西安分公司", "Xi'an Branch"}, {"兰州分公司", "Lanzhou Branch"}, {"沈阳分公司", "Shenyang Branch"},
	{"哈尔滨分公司", "Harbin Branch"}, {"大连分公司", "Dalian Branch"}, {"财务管理部", "Finance Management"},
	{"人力资源部", "Human Resources"}, {"战略发展部", "Strategy & Development"}, {"法务合规部", "Legal & Compliance"},
	{"信息技术部", "Information Technology"}, {"审计监察部", "Audit & Supervision"}, {"品牌公关部", "Brand & PR"},
	{"产品研发一部", "Product R&D Dept. 1"}, {"产品研发二部", "Product R&D Dept. 2"}, {"质量管理部", "Quality Management"},
}

var funcNames = [][2]string{
	{"财务部", "Finance"}, {"人力资源部", "Human Resources"}, {"行政部", "Administration"}, {"市场部", "Marketing"},
	{"销售一部", "Sales Dept. 1"}, {"销售二部", "Sales Dept. 2"}, {"销售三部", "Sales Dept. 3"}, {"研发部", "R&D"},
	{"测试部", "Testing"}, {"产品部", "Product"}, {"客服部", "Customer Service"}, {"法务部", "Legal"},
	{"审计部", "Audit"}, {"采购部", "Procurement"}, {"质量部", "Quality"}, {"信息部", "IT"},
	{"综合办公室", "General Office"}, {"党群工作部", "Party & Mass Work"}, {"安全生产部", "Production Safety"},
	{"工程部", "Engineering"}, {"物流部", "Logistics"}, {"仓储部", "Warehousing"}, {"运营部", "Operations"},
	{"设计部", "Design"}, {"技术支持部", "Technical Support"}, {"渠道部", "Channels"}, {"大客户部", "Key Accounts"},
	{"培训部", "Training"}, {"企划部", "Planning"}, {"项目管理部", "Project Management"},
}

var groupNames = [][2]string{
	{"一组", "Team 1"}, {"二组", "Team 2"}, {"三组", "Team 3"}, {"四组", "Team 4"}, {"五组", "Team 5"},
	{"前端组", "Frontend Team"}, {"后端组", "Backend Team"}, {"移动端组", "Mobile Team"}, {"数据组", "Data Team"},
	{"运维组", "Ops Team"}, {"核算组", "Accounting Team"}, {"税务组", "Tax Team"}, {"招聘组", "Recruiting Team"},
	{"薪酬组", "Compensation Team"}, {"华为项目组", "Huawei Project Team"}, {"政企项目组", "Gov & Enterprise Project Team"},
	{"售前组", "Presales Team"}, {"交付组", "Delivery Team"}, {"质检组", "QC Team"}, {"综合组", "General Team"},
}

var positions = []string{
	"工程师", "高级工程师", "主任工程师", "专员", "高级专员", "主管", "经理", "高级经理", "总监",
	"副总经理", "总经理", "助理", "实习生", "会计", "出纳", "销售代表", "客户经理", "项目经理",
}

var areaCodes = []string{"010", "021", "020", "0755", "0571", "025", "027", "028", "023", "029", "0512", "0532"}

var mobilePrefixes = []string{"30", "31", "32", "33", "35", "36", "37", "38", "39", "50", "51", "52", "55", "56", "57", "58", "59", "80", "81", "82", "86", "87", "88", "89", "77", "99"}
