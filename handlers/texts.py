"""Every text the conversation shows, in Vietnamese."""

UNKNOWN_CHAT = ("Xin chào! Tài khoản này chưa được liên kết với hồ sơ giáo viên nào của "
                "trường. Thầy/cô hãy mở đường dẫn mời mà quản trị gửi (hoặc quét mã QR) để "
                "liên kết. Nếu chưa có, xin liên hệ quản trị của trường. (Đây là bot trả lời tự "
                "động.)")
LINKED = ("Đã liên kết tài khoản với {name}. Gõ /help để xem cách dùng. Đây là bot trả lời "
          "tự động của nhà trường.")
WELCOME_BACK = "Chào {name}. Gõ /help để xem cách dùng."
UNLINKED = "Đã hủy liên kết. Muốn dùng lại, thầy/cô cần mã mời mới từ quản trị."
NOT_LINKED = "Tài khoản này chưa liên kết nên không có gì để hủy."
CANCELLED = "Đã hủy, không lưu gì."
NOTHING_PENDING = "Không có bảng nào đang chờ xác nhận."
NO_SUCH_CHOICE = "Số này không có trong danh sách vừa gửi. Trả lời bằng một số trong danh sách."
INTERNAL_ERROR = ("Xin lỗi, hệ thống gặp lỗi khi xử lý tin này (mã {code}). Thầy/cô xem lại "
                  "(/tiendo, /choduyet) xem việc vừa làm đã được lưu chưa rồi hãy gửi lại; nếu "
                  "vẫn lỗi, báo quản trị kèm mã này.")
DUPLICATE = None  # a repeated update gets no answer at all

HELP = """Cách dùng sổ điểm qua tin nhắn

Nhập điểm — dòng đầu: lớp, môn, cột (TX1–TX4, GK, CK), có thể thêm HK1/HK2;
mỗi dòng sau: số thứ tự hoặc tên và điểm:
6A1 Toán TX2
1 8
2 7,5
Nguyễn Văn An 9

Hoặc cả lớp trên một dòng, theo số thứ tự:
6A1 Toán TX2: 8 7,5 9 10 6

Môn đánh giá bằng nhận xét: Đ hoặc CĐ (gõ d, cd cũng được).

Ghi vắng — lớp, ngày (mặc định hôm nay), buổi, số thứ tự hoặc tên:
vắng 6A1 20/11 sáng 3 5 12
vang 6a1 chieu Nguyễn Văn An, Lê Thị Hoa

Xem:
/lop 6A1 — danh sách lớp
/tiendo — tiến độ nhập điểm của thầy/cô
/ketqua 6A1 Toán — điểm trung bình môn
/ketqua 6A1 — kết quả cả lớp (GVCN)
/choduyet — yêu cầu sửa đang chờ duyệt (Ban giám hiệu)
/huylienket — hủy liên kết tài khoản

Sửa điểm đã nhập (cần Ban giám hiệu duyệt):
sửa 6A1 Toán TX1
3 9
lý do: chấm nhầm bài

Không cần gõ dấu: “vang 6a1 hom qua sang 3 5” cũng được.

Tài liệu (đường dẫn tải một lần, trong 24 giờ): /so 6A1 — sổ theo dõi của lớp (GVCN);
/bienban 12 — biên bản của yêu cầu sửa số 12."""

TEACHER_COMMANDS = [("help", "Cách dùng"), ("lop", "Danh sách lớp"),
                    ("tiendo", "Tiến độ nhập điểm"), ("ketqua", "Điểm trung bình, kết quả"),
                    ("chuaco", "Ai chưa có điểm"), ("so", "Tải sổ theo dõi lớp (GVCN)"),
                    ("huylienket", "Hủy liên kết")]
LEADER_COMMANDS = [("help", "Cách dùng"), ("choduyet", "Yêu cầu sửa chờ duyệt"),
                   ("tiendo", "Tiến độ nhập điểm toàn trường"),
                   ("ketqua", "Kết quả một lớp"), ("lop", "Danh sách lớp"),
                   ("bienban", "Tải biên bản sửa"), ("so", "Tải sổ theo dõi lớp"),
                   ("huylienket", "Hủy liên kết")]

DONT_UNDERSTAND = ("Chưa hiểu tin nhắn. Để nhập điểm, dòng đầu ghi lớp, môn và cột, ví dụ "
                   "“6A1 Toán TX2”, mỗi dòng sau là số thứ tự và điểm. Gõ /help để xem ví dụ.")
GREETING = ("Chào {name}. Thầy/cô có thể:\n• nhập điểm: “6A1 Toán TX2: 8 7 9” hoặc mỗi dòng "
            "“số thứ tự điểm”\n• ghi vắng: “vắng 6A1 sáng 3 5”\n• hỏi: “còn thiếu cột nào”, "
            "“điểm tb lớp 6A1 môn Toán”, “lớp 6A1 ai vắng hôm nay”\nGõ /help để xem đủ.")
CONFIRM, CANCEL = "Xác nhận", "Hủy"
NUMBERED_CHOICES = "Trả lời bằng số: {choices}"
