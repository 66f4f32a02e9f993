#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/aead.h"
#include "core/crypto/bytes.h"
#include "core/crypto/fake_random.h"

namespace authgate::core::crypto {
namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(
        static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Aes256GcmKey keyFrom(const std::vector<std::uint8_t>& bytes) {
  return Aes256GcmKey(std::span<const std::uint8_t, kAes256KeySize>(bytes.data(), kAes256KeySize));
}

// The GCM specification (McGrew and Viega, submitted to NIST), Appendix B, Test Case 16:
// AES-256, 96-bit IV, 60-byte plaintext, 20 bytes of associated data.
struct GcmVector {
  std::vector<std::uint8_t> key =
      hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  std::vector<std::uint8_t> iv = hex("cafebabefacedbaddecaf888");
  std::vector<std::uint8_t> plaintext =
      hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e"
          "2449a6b525b16aedf5aa0de657ba637b39");
  std::vector<std::uint8_t> aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  std::vector<std::uint8_t> ciphertext =
      hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b"
          "1056828838c5f61e6393ba7a0abcc9f662");
  std::vector<std::uint8_t> tag = hex("76fc6ece0f4e1768cddf8853bb2d551b");

  std::vector<std::uint8_t> sealed() const {
    std::vector<std::uint8_t> out = iv;
    out.insert(out.end(), ciphertext.begin(), ciphertext.end());
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
  }
};

TEST(CryptoAead, SealsTheGcmSpecTestCase16) {
  const GcmVector v;
  FakeRandom random(v.iv);                 // the nonce the vector prescribes
  std::vector<std::uint8_t> out = {0x01};  // seal appends after what is already there
  aes256GcmSeal(keyFrom(v.key), v.plaintext, v.aad, random, out);
  std::vector<std::uint8_t> expected = {0x01};
  const auto sealed = v.sealed();
  expected.insert(expected.end(), sealed.begin(), sealed.end());
  EXPECT_EQ(out, expected);
}

TEST(CryptoAead, OpensTheGcmSpecTestCase16) {
  const GcmVector v;
  const auto opened = aes256GcmOpen(keyFrom(v.key), v.sealed(), v.aad);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, v.plaintext);
}

TEST(CryptoAead, EveryFlippedBitFailsAuthentication) {
  const GcmVector v;
  const auto key = keyFrom(v.key);
  const auto sealed = v.sealed();
  for (std::size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    auto tampered = sealed;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(aes256GcmOpen(key, tampered, v.aad)) << "bit " << bit;
  }
  for (std::size_t bit = 0; bit < v.aad.size() * 8; ++bit) {
    auto aad = v.aad;
    aad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(aes256GcmOpen(key, sealed, aad)) << "aad bit " << bit;
  }
}

TEST(CryptoAead, EveryTruncationFailsAuthentication) {
  const GcmVector v;
  const auto key = keyFrom(v.key);
  const auto sealed = v.sealed();
  for (std::size_t length = 0; length < sealed.size(); ++length) {
    const std::vector<std::uint8_t> truncated(sealed.begin(),
                                              sealed.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_FALSE(aes256GcmOpen(key, truncated, v.aad)) << "length " << length;
  }
  auto extended = sealed;
  extended.push_back(0);
  EXPECT_FALSE(aes256GcmOpen(key, extended, v.aad));
}

TEST(CryptoAead, WrongKeyAndMissingAadFail) {
  const GcmVector v;
  auto other = v.key;
  other[31] ^= 1;
  EXPECT_FALSE(aes256GcmOpen(keyFrom(other), v.sealed(), v.aad));
  EXPECT_FALSE(aes256GcmOpen(keyFrom(v.key), v.sealed(), {}));
}

TEST(CryptoAead, RoundTripsEmptyPlaintextAndEmptyAad) {
  const std::vector<std::uint8_t> key(32, 7);
  FakeRandom random;
  std::vector<std::uint8_t> sealed;
  aes256GcmSeal(keyFrom(key), {}, {}, random, sealed);
  ASSERT_EQ(sealed.size(), kGcmOverhead);
  const auto opened = aes256GcmOpen(keyFrom(key), sealed, {});
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
  sealed.back() ^= 0x80;
  EXPECT_FALSE(aes256GcmOpen(keyFrom(key), sealed, {}));
}

TEST(CryptoAead, FreshNonceEverySeal) {
  const std::vector<std::uint8_t> key(32, 7);
  FakeRandom random;
  std::vector<std::uint8_t> first;
  std::vector<std::uint8_t> second;
  aes256GcmSeal(keyFrom(key), asBytes("same"), {}, random, first);
  aes256GcmSeal(keyFrom(key), asBytes("same"), {}, random, second);
  EXPECT_NE(first, second);
  EXPECT_NE(std::vector(first.begin(), first.begin() + kGcmNonceSize),
            std::vector(second.begin(), second.begin() + kGcmNonceSize));
}

}  // namespace
}  // namespace authgate::core::crypto
