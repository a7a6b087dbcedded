#include "text_encoding.hpp"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <string>

namespace regaudit::import {
namespace {

// GB18030 bytes of UTF-8 text, written through ICU directly.
std::string to_gb18030(const std::string& utf8) {
  std::string out(utf8.size() * 4 + 4, '\0');
  UErrorCode error = U_ZERO_ERROR;
  const int32_t n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &error);
  EXPECT_TRUE(U_SUCCESS(error)) << u_errorName(error);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(ImportEncoding, StrictUtf8RejectsOverlongSurrogatesAndNul) {
  InvalidBytes where;
  EXPECT_TRUE(is_valid_utf8("abc 张三 €", &where));
  EXPECT_FALSE(is_valid_utf8("ab\xC0\xAF", &where));  // overlong '/'
  EXPECT_EQ(where.offset, 2u);
  EXPECT_EQ(where.byte, 0xC0);
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80", &where));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80", &where));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE5\xBC", &where));          // truncated
  EXPECT_FALSE(is_valid_utf8(std::string_view("a\0b", 3), &where));
  EXPECT_EQ(where.offset, 1u);
}

TEST(ImportEncoding, AutoDetectsUtf8Gb18030AndAsciiAndSaysWhich) {
  const Detection utf8 = detect_encoding("姓名,手机号\n张三,138\n");
  EXPECT_EQ(utf8.encoding, Encoding::utf8);
  EXPECT_TRUE(utf8.clean);
  EXPECT_NE(utf8.why.find("utf-8"), std::string::npos);

  const Detection gb = detect_encoding(to_gb18030("姓名,手机号\n张三,138\n李四,139\n"));
  EXPECT_EQ(gb.encoding, Encoding::gb18030);
  EXPECT_NE(gb.why.find("gb18030"), std::string::npos);

  EXPECT_EQ(detect_encoding("a,b\n1,2\n").encoding, Encoding::utf8);
}

TEST(ImportEncoding, MostlyUtf8WithOneBadByteStaysUtf8SoOnlyThatRowIsRejected) {
  const Detection d = detect_encoding("姓名,地址\n张三,北京市朝阳区\n李四,\xFF\n王五,上海\n");
  EXPECT_EQ(d.encoding, Encoding::utf8);
  EXPECT_FALSE(d.clean);
}

// GBK text often holds valid two-byte UTF-8 by chance (女 is C5 AE in GBK,
// U+016E in UTF-8): a file that is whole GB18030 needs characters of three
// bytes or more, as Chinese takes in UTF-8, to be read as UTF-8. Read as
// "mostly UTF-8", every row with 女 was loaded garbled and the others were
// rejected.
TEST(ImportEncoding, GbkWhoseBytesAreOftenTwoByteUtf8IsGb18030) {
  std::string text = "person_id,id_number,sex\n";
  for (int i = 1; i <= 200; ++i) {
    text += std::to_string(i) + ",440104199001011234," + (i % 4 == 0 ? "男" : "女") + "\n";
  }
  const std::string gbk = to_gb18030(text);
  const Detection d = detect_encoding(gbk);
  EXPECT_EQ(d.encoding, Encoding::gb18030) << d.why;
  // A UTF-8 file with one GBK row stays UTF-8 even when all its bytes happen
  // to make GB18030 sequences.
  const Detection mixed =
      detect_encoding("姓名,地址\n张三,北京市朝阳区\n" + to_gb18030("李四") + "\n王五,上海市\n");
  EXPECT_EQ(mixed.encoding, Encoding::utf8) << mixed.why;
}

TEST(ImportEncoding, Gb18030DecodesToUtf8IncludingFourByteCharacters) {
  Gb18030Decoder decoder;
  ASSERT_TRUE(decoder.status().is_ok());
  const std::string text = "张三 廣州 € 𠀀 ok";  // 𠀀 is a four-byte GB18030 character
  std::string out;
  InvalidBytes where;
  ASSERT_TRUE(decoder.decode_append(to_gb18030(text), out, &where));
  EXPECT_EQ(out, text);
}

TEST(ImportEncoding, Gb18030InvalidAndTruncatedBytesAreLocated) {
  Gb18030Decoder decoder;
  std::string out;
  InvalidBytes where;
  const std::string good = to_gb18030("张");
  EXPECT_FALSE(decoder.decode_append(good + "\xFF\x20" + good, out, &where));
  EXPECT_EQ(where.offset, good.size());
  EXPECT_EQ(where.byte, 0xFF);
  out.clear();
  EXPECT_FALSE(decoder.decode_append(good + "\x81", out, &where));  // truncated lead byte
  EXPECT_EQ(where.offset, good.size());
  // The decoder recovers for the next text.
  out.clear();
  EXPECT_TRUE(decoder.decode_append(good, out, &where));
  EXPECT_EQ(out, "张");
}

TEST(ImportEncoding, BomLengths) {
  EXPECT_EQ(utf8_bom_length("\xEF\xBB\xBFid"), 3u);
  EXPECT_EQ(utf8_bom_length("id"), 0u);
  EXPECT_EQ(gb18030_bom_length("\x84\x31\x95\x33id"), 4u);
}

TEST(ImportEncoding, EncoderRoundTripsThroughTheDecoder) {
  Gb18030Encoder encoder;
  Gb18030Decoder decoder;
  const std::string text = "户籍街道,\"来电\n时间\"";
  std::string gb;
  ASSERT_TRUE(encoder.encode_append(text, gb));
  EXPECT_NE(gb, text);
  std::string back;
  InvalidBytes where;
  ASSERT_TRUE(decoder.decode_append(gb, back, &where));
  EXPECT_EQ(back, text);
}

}  // namespace
}  // namespace regaudit::import
