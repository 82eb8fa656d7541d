/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_TEST_NFDUMP_LINES_H
#define NFKAFKA_TEST_NFDUMP_LINES_H

/* Real output of Debian's nfdump 1.7.1 (-N -6, TZ=UTC), shared by tests. */

/* The cron script's aggregation, in nfdump 1.7 syntax, and one of its rows. */
#define FMT_DEFAULT "%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl"
#define LINE_DEFAULT "2026-11-27 12:00:41.000,..,           4.900,    " \
	"1307, 1544282,     266, 2521276,   31"

/* "-o csv": its header line and one record. */
#define CSV_HEADER "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt," \
	"obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc," \
	"idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9," \
	"mpls10,cl,sl,al,ra,eng,exid,tr"

#define CSV_LINE "2026-11-27 12:00:41,2026-11-27 12:00:45,4.900," \
	"10.0.160.19,192.0.2.2,45435,443,TCP,...AP...,0,0,25,64055,0,0,1,2," \
	"0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00," \
	"00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0," \
	"0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000," \
	"    0.000,    0.000,127.0.0.1,0/0,1,2026-11-27 12:00:46.548"

#endif
